import { child, diagnosticAt, whereIs, type Collected, type Located } from './collect.js';
import type { Diagnostic } from './diagnostics.js';
import { checkConsistency } from './consistency.js';
import { checkEvents } from './events-checks.js';
import { didYouMean } from './suggest.js';
import { checkTemplates } from './template-check.js';
import { checkContacts } from './contacts-check.js';
import type { Condition, EntitlementRef, IdpId } from './types.js';
import { appendAll } from '../model/arrays.js';

/**
 * Checks that span documents (UC-22): things a JSON Schema cannot see because they depend on
 * more than one value, or on more than one file.
 */

/** Reports every declaration after the first of the same key. */
function duplicates<T>(
  items: Located<T>[],
  keyOf: (v: T) => string | undefined,
  describe: (key: string) => string,
  code: string,
  at: (item: Located<T>) => Located<unknown> = (i) => i,
): Diagnostic[] {
  const first = new Map<string, Located<T>>();
  const out: Diagnostic[] = [];
  for (const item of items) {
    const key = keyOf(item.value);
    if (key === undefined) continue;
    const earlier = first.get(key);
    if (earlier) {
      out.push(
        diagnosticAt(
          at(item),
          'error',
          code,
          `${describe(key)} is declared twice (first at ${whereIs(at(earlier))})`,
          'keep one declaration',
        ),
      );
    } else first.set(key, item);
  }
  return out;
}

function checkSingletons(c: Collected, options: CrossCheckOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (c.identities.length === 0 && c.documents.length > 0 && !options.identityInInvalidDocument) {
    const doc = c.documents[0]!;
    out.push(
      diagnosticAt(
        { doc, pointer: doc.base },
        'error',
        'identity.missing',
        'no policy document declares "identity"',
        'add an "identity" section (at least "source": "okta" or "onelogin") to one policy file',
      ),
    );
  }
  appendAll(
    out,
    duplicates(
      c.identities,
      () => 'identity',
      () => '"identity"',
      'identity.duplicate',
    ),
  );
  for (const field of ['allowCode', 'environment', 'reconcile'] as const) {
    appendAll(
      out,
      duplicates(
        c.settings.filter((s) => s.value[field] !== undefined),
        () => field,
        (k) => `settings.${k}`,
        'settings.duplicate',
        (s) => child(s, field, s.value[field]),
      ),
    );
  }
  for (const platform of ['okta', 'onelogin'] as const) {
    appendAll(
      out,
      duplicates(
        c.platforms.filter((p) => p.value[platform] !== undefined),
        () => platform,
        (k) => `platform "${k}"`,
        'platform.duplicate',
        (p) => child(p, platform, p.value[platform]),
      ),
    );
  }
  const orgs = c.platforms.flatMap((p) =>
    Object.keys(p.value.salesforce ?? {}).map((key) =>
      child(child(p, 'salesforce', p.value.salesforce), key, key),
    ),
  );
  appendAll(
    out,
    duplicates(
      orgs,
      (k) => k,
      (k) => `Salesforce org "${k}"`,
      'platform.duplicate-org',
    ),
  );
  const lifecycleKeys = c.lifecycles.flatMap((l) => [
    ...(['okta', 'onelogin'] as const)
      .filter((k) => l.value[k] !== undefined)
      .map((k) => child(l, k, `lifecycle.${k}`)),
    ...Object.keys(l.value.salesforce ?? {}).map((k) =>
      child(child(l, 'salesforce', null), k, `lifecycle.salesforce.${k}`),
    ),
    ...Object.keys(l.value.successors ?? {}).map((k) =>
      child(child(l, 'successors', null), k, `lifecycle.successors["${k}"]`),
    ),
    ...Object.keys(l.value.statuses ?? {}).map((k) =>
      child(child(l, 'statuses', null), k, `lifecycle.statuses.${k}`),
    ),
    ...(['orphans', 'inactivity'] as const)
      .filter((k) => l.value[k] !== undefined)
      .map((k) => child(l, k, `lifecycle.${k}`)),
  ]);
  appendAll(
    out,
    duplicates(
      lifecycleKeys,
      (k) => k,
      (k) => k,
      'lifecycle.duplicate',
    ),
  );
  const caps = c.guardrails.filter((g) => g.value.maxDeprovision !== undefined);
  appendAll(
    out,
    duplicates(
      caps,
      () => 'cap',
      () => 'guardrails.maxDeprovision',
      'guardrails.duplicate',
      (g) => child(g, 'maxDeprovision', g.value.maxDeprovision),
    ),
  );
  return out;
}

function checkIds(c: Collected): Diagnostic[] {
  // One namespace: ids are cited as "the rule" in plans and the audit log, so they must be unambiguous.
  const ids = [
    ...c.access.map((x) => child(x, 'id', x.value.id)),
    ...c.exceptions.map((x) => child(x, 'id', x.value.id)),
    ...c.mirrors.map((x) => child(x, 'id', x.value.id)),
    ...c.populations.map((x) => child(x, 'id', x.value.id)),
    ...c.separationOfDuties.map((x) => child(x, 'id', x.value.id)),
  ];
  const groups = duplicates(
    c.groups,
    (g) => `${g.platform}:${g.name}`,
    (k) =>
      `managed ${k.startsWith('okta:') ? 'Okta group' : 'OneLogin role'} "${k.slice(k.indexOf(':') + 1)}"`,
    'groups.duplicate',
  );
  return [
    ...duplicates(
      ids,
      (id) => id,
      (id) => `id "${id}"`,
      'id.duplicate',
    ),
    ...groups,
  ];
}

function conditions(c: Collected): Located<Condition>[] {
  return [
    ...c.access.map((r) => child(r, 'when', r.value.when)),
    ...c.populations.map((p) => child(p, 'when', p.value.when)),
    ...c.groups.filter((g) => g.value.rule).map((g) => child(g, 'rule', g.value.rule!)),
    ...c.identities.flatMap((i) => [
      ...(i.value.scope?.include ?? []).map((x, n) =>
        child(child(child(i, 'scope', null), 'include', null), n, x),
      ),
      ...(i.value.scope?.exclude ?? []).map((x, n) =>
        child(child(child(i, 'scope', null), 'exclude', null), n, x),
      ),
    ]),
  ];
}

/** The condition terms that name something on a platform (or, `mfa`, read from one). */
const LEAF_TERMS = ['oktaGroup', 'oneloginRole', 'app', 'mfa', 'salesforceField', 'salesforceCase'] as const;

/** Every leaf of a condition with its location. */
function leaves(at: Located<Condition>): Located<Condition>[] {
  const c = at.value;
  return [
    ...(LEAF_TERMS.some((term) => c[term] !== undefined) ? [at] : []),
    ...(c.all ?? []).flatMap((x, i) => leaves(child(child(at, 'all', null), i, x))),
    ...(c.any ?? []).flatMap((x, i) => leaves(child(child(at, 'any', null), i, x))),
    ...(c.not ? leaves(child(at, 'not', c.not)) : []),
  ];
}

function checkPlatformReferences(c: Collected): Diagnostic[] {
  const declared = new Set<IdpId>();
  for (const p of c.platforms) for (const k of ['okta', 'onelogin'] as const) if (p.value[k]) declared.add(k);
  const out: Diagnostic[] = [];
  const need = (platform: IdpId, at: Located<unknown>, what: string) => {
    if (!declared.has(platform)) {
      out.push(
        diagnosticAt(
          at,
          'error',
          'ref.undeclared-platform',
          `${what} refers to ${platform === 'okta' ? 'Okta' : 'OneLogin'}, which no document declares under "platforms"`,
          `add "platforms": { "${platform}": {} } to a policy file`,
        ),
      );
    }
  };
  for (const i of c.identities) {
    need(i.value.source, child(i, 'source', i.value.source), 'identity.source');
    const matchOn = child(i, 'matchOn', i.value.matchOn);
    for (const platform of ['okta', 'onelogin'] as const) {
      const keys = i.value.matchOn?.[platform];
      if (!keys) continue;
      const at = child(matchOn, platform, keys);
      need(platform, at, `identity.matchOn.${platform}`);
      const fed = keys.indexOf('federationId');
      if (fed >= 0)
        out.push(
          diagnosticAt(
            child(at, fed, 'federationId'),
            'error',
            'identity.match-key',
            `identity.matchOn.${platform} cannot use federationId: it is a Salesforce field, and ${platform === 'okta' ? 'Okta' : 'OneLogin'} accounts have none`,
            'use employeeNumber, email, login or phone there',
          ),
        );
    }
  }
  for (const p of c.populations)
    need(p.value.owner, child(p, 'owner', p.value.owner), `population "${p.value.id}"`);
  for (const g of c.groups)
    need(g.value.platform, child(g, 'platform', g.value.platform), `managed group "${g.value.name}"`);
  for (const m of c.mirrors) {
    need('okta', m, `mirror "${m.value.id}"`);
    need('onelogin', m, `mirror "${m.value.id}"`);
  }
  for (const f of c.attributeFlows) {
    need(f.value.from, child(f, 'from', f.value.from), 'attribute flow');
    if (f.value.to === 'okta' || f.value.to === 'onelogin')
      need(f.value.to, child(f, 'to', f.value.to), 'attribute flow');
  }
  const mfaLeaves: Located<unknown>[] = [];
  for (const condition of conditions(c)) {
    for (const leaf of leaves(condition)) {
      if (leaf.value.oktaGroup !== undefined)
        need('okta', child(leaf, 'oktaGroup', leaf.value.oktaGroup), 'condition');
      if (leaf.value.oneloginRole !== undefined)
        need('onelogin', child(leaf, 'oneloginRole', leaf.value.oneloginRole), 'condition');
      if (leaf.value.mfa !== undefined) mfaLeaves.push(child(leaf, 'mfa', leaf.value.mfa));
    }
  }
  // UC-17: factors are read from each person's home directory (Okta factors, OneLogin devices).
  const homes = new Set<string>([
    ...c.identities.map((i) => i.value.source),
    ...c.populations.map((p) => p.value.owner),
  ]);
  for (const at of mfaLeaves)
    need(homes.has('onelogin') && !homes.has('okta') ? 'onelogin' : 'okta', at, 'an mfa condition');
  return out;
}

function checkOrgReferences(c: Collected, orgKeys: readonly string[]): Diagnostic[] {
  const known = new Set(orgKeys);
  const out: Diagnostic[] = [];
  const check = (key: string, at: Located<unknown>, onKey: boolean, allowStar = true) => {
    if ((allowStar && key === '*') || known.has(key)) return;
    out.push(
      diagnosticAt(
        at,
        'error',
        'ref.unknown-org',
        known.size === 0
          ? `Salesforce org "${key}" is referenced, but no org is declared`
          : `unknown Salesforce org "${key}"`,
        didYouMean(key, orgKeys) ??
          (known.size === 0
            ? 'declare it under "platforms": { "salesforce": { ... } }'
            : `declared orgs: ${[...known].join(', ')}`),
        onKey,
      ),
    );
  };
  const keysOf = (at: Located<unknown>, field: string, record: Record<string, unknown> | undefined) =>
    Object.keys(record ?? {}).forEach((k) => check(k, child(child(at, field, record), k, record?.[k]), true));
  for (const r of c.access) keysOf(r, 'grants', r.value.grants);
  for (const x of c.exceptions) check(x.value.org, child(x, 'org', x.value.org), false);
  for (const l of c.lifecycles) keysOf(l, 'salesforce', l.value.salesforce);
  for (const i of c.identities) keysOf(i, 'salesforce', i.value.salesforce);
  for (const l of c.links) keysOf(l, 'salesforce', l.value.salesforce ?? undefined);
  for (const f of c.attributeFlows) {
    const org = f.value.to.startsWith('salesforce.') ? f.value.to.slice('salesforce.'.length) : undefined;
    if (org !== undefined) check(org, child(f, 'to', f.value.to), false, false);
  }
  // UC-16: Salesforce facts are read of the person's matched user, which scope and populations decide.
  const before = new Set<Condition>([
    ...c.populations.map((p) => p.value.when),
    ...c.identities.flatMap((i) => [...(i.value.scope?.include ?? []), ...(i.value.scope?.exclude ?? [])]),
  ]);
  for (const condition of conditions(c)) {
    for (const leaf of leaves(condition)) {
      for (const term of ['salesforceField', 'salesforceCase'] as const) {
        const test = leaf.value[term];
        if (test === undefined) continue;
        const at = child(leaf, term, test);
        check(test.org, child(at, 'org', test.org), false, false);
        if (before.has(condition.value))
          out.push(
            diagnosticAt(
              at,
              'error',
              'condition.salesforce-too-early',
              `a ${term} condition cannot decide who is a person (identity scope, populations): Salesforce users are matched to people after that`,
              'use it in a managed group rule, an access rule or a contact sync',
            ),
          );
      }
    }
  }
  const refs: Located<EntitlementRef>[] = c.guardrails.flatMap((g) => [
    ...(g.value.sensitive ?? []).map((s, i) => child(child(g, 'sensitive', null), i, s)),
  ]);
  for (const sod of c.separationOfDuties)
    appendAll(
      refs,
      sod.value.entitlements.map((e, i) => child(child(sod, 'entitlements', null), i, e)),
    );
  for (const ref of refs) {
    if (ref.value.org !== undefined) check(ref.value.org, child(ref, 'org', ref.value.org), false);
    appendAll(out, checkEntitlementRef(ref));
  }
  return out;
}

const SALESFORCE_FIELDS = ['profile', 'role', 'permissionSet', 'permissionSetGroup'] as const;
const IDP_FIELDS = ['oktaGroup', 'oneloginRole'] as const;

function checkEntitlementRef(ref: Located<EntitlementRef>): Diagnostic[] {
  const set = [...SALESFORCE_FIELDS, ...IDP_FIELDS].filter((f) => ref.value[f] !== undefined);
  if (set.length !== 1) {
    return [
      diagnosticAt(
        ref,
        'error',
        'ref.entitlement',
        `an entitlement names exactly one of ${[...SALESFORCE_FIELDS, ...IDP_FIELDS].join(', ')}; found ${set.length ? set.join(', ') : 'none'}`,
        'split it into one entry per entitlement',
      ),
    ];
  }
  const isSalesforce = (SALESFORCE_FIELDS as readonly string[]).includes(set[0]!);
  if (isSalesforce && ref.value.org === undefined) {
    return [
      diagnosticAt(
        ref,
        'error',
        'ref.entitlement-org',
        `a Salesforce entitlement needs "org" (an org key or "*")`,
        'add "org": "*"',
      ),
    ];
  }
  if (!isSalesforce && ref.value.org !== undefined) {
    return [
      diagnosticAt(
        child(ref, 'org', ref.value.org),
        'error',
        'ref.entitlement-org',
        `"org" applies only to Salesforce entitlements`,
        'remove "org"',
      ),
    ];
  }
  return [];
}

/** Exceptions whose last day is before today are reported (they grant nothing any more). */
function checkExpiredExceptions(c: Collected, today: string): Diagnostic[] {
  return c.exceptions
    .filter((x) => x.value.expires < today)
    .map((x) =>
      diagnosticAt(
        child(x, 'expires', x.value.expires),
        'warning',
        'exception.expired',
        `exception "${x.value.id}" expired on ${x.value.expires}; accord revokes what it granted`,
        'remove the exception from the policy, or extend "expires" with a new ticket',
      ),
    );
}

export interface CrossCheckOptions {
  /** Today's date (UTC, YYYY-MM-DD), injectable for tests. */
  today: string;
  /** An `identity` exists but its document failed schema validation (so don't also say it's missing). */
  identityInInvalidDocument?: boolean;
  /**
   * A platform or org declaration may have been lost (cut from a document with schema errors, or
   * in a file that could not be read): "refers to X, which nothing declares" is then no finding.
   */
  declarationsIncomplete?: boolean;
}

/** Findings that only say something is not declared anywhere. */
const ABSENCE_CODES = new Set(['ref.undeclared-platform', 'ref.unknown-org']);

export function crossChecks(
  c: Collected,
  orgKeys: readonly string[],
  options: CrossCheckOptions,
): Diagnostic[] {
  const out = [
    ...checkSingletons(c, options),
    ...checkIds(c),
    ...checkPlatformReferences(c),
    ...checkOrgReferences(c, orgKeys),
    ...checkExpiredExceptions(c, options.today),
    ...checkTemplates(c),
    ...checkContacts(c, orgKeys),
    ...checkConsistency(c),
    ...checkEvents(c),
  ];
  return options.declarationsIncomplete ? out.filter((d) => !ABSENCE_CODES.has(d.code)) : out;
}
