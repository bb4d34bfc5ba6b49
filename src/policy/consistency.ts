import { child, diagnosticAt, whereIs, type Collected, type Located } from './collect.js';
import type { Diagnostic } from './diagnostics.js';
import type { EntitlementRef, SalesforceConnection, SalesforceGrant } from './types.js';

/** Appends without spreading into a call (a long list would overflow the stack). */
const add = (out: Diagnostic[], items: readonly Diagnostic[]): void => {
  for (const d of items) out.push(d);
};

/**
 * Values that contradict one another, within a document or across documents (UC-22): each is
 * valid alone, so the schema cannot see them. Reference and duplicate-id checks live in
 * cross-checks.ts, ownership and cycles in flows.ts; these are the rest, field by field of
 * types.ts.
 */

type Key = (v: string) => string;

/** The same key twice in one list: reported at the second, naming the first. */
function repeated<T>(
  items: Located<T>[],
  keyOf: (v: T) => string | undefined,
  report: (again: Located<T>, first: Located<T>) => Diagnostic,
): Diagnostic[] {
  const seen = new Map<string, Located<T>>();
  const out: Diagnostic[] = [];
  for (const item of items) {
    const key = keyOf(item.value);
    if (key === undefined) continue;
    const first = seen.get(key);
    if (first) out.push(report(item, first));
    else seen.set(key, item);
  }
  return out;
}

const listOf = <T>(at: Located<unknown>, field: string, items: T[] | undefined): Located<T>[] => {
  const list = child(at, field, items);
  return (items ?? []).flatMap((v, i) => (v === undefined ? [] : [child(list, i, v)]));
};

function personKey(c: Collected): Key {
  const normalize = c.identities[0]?.value.normalize;
  const trim = normalize?.trim ?? true;
  const fold = normalize?.caseInsensitive ?? true;
  return (v) => {
    const t = trim ? v.trim() : v;
    return fold ? t.toLowerCase() : t;
  };
}

function checkIdentity(c: Collected): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const identity of c.identities) {
    const { match, matchOn, normalize, scope } = identity.value;
    const orders: Located<string[]>[] = [
      ...(match ? [child(identity, 'match', match)] : []),
      ...(['okta', 'onelogin', 'salesforce'] as const).flatMap((p) =>
        matchOn?.[p] ? [child(child(identity, 'matchOn', matchOn), p, matchOn[p])] : [],
      ),
    ];
    for (const order of orders)
      add(
        out,
        repeated(
          order.value.map((k, i) => child(order, i, k)),
          (k) => k,
          (again, first) =>
            diagnosticAt(
              again,
              'error',
              'identity.match-duplicate',
              `match key "${again.value}" is listed twice (first at ${whereIs(first)})`,
              'list each match key once, in the order it should be tried',
            ),
        ),
      );
    const aliases = normalize?.domainAliases ?? {};
    const aliasesAt = child(child(identity, 'normalize', normalize), 'domainAliases', aliases);
    const fold = (d: string) => d.trim().toLowerCase();
    const aliasKeys = new Map(Object.keys(aliases).map((a) => [fold(a), a]));
    for (const [alias, canonical] of Object.entries(aliases)) {
      const at = child(aliasesAt, alias, canonical);
      if (fold(alias) === fold(canonical))
        out.push(
          diagnosticAt(
            at,
            'error',
            'identity.domain-alias-self',
            `domain alias "${alias}" maps to itself`,
            'remove the entry: a domain is always the same as itself',
            true,
          ),
        );
      else if (aliasKeys.has(fold(canonical)))
        out.push(
          diagnosticAt(
            at,
            'error',
            'identity.domain-alias-chain',
            `domain alias "${alias}" maps to "${canonical}", which is itself an alias (of "${aliases[aliasKeys.get(fold(canonical))!]}")`,
            'map every alias straight to the canonical domain',
          ),
        );
    }
    const include = new Map((scope?.include ?? []).map((x, i) => [JSON.stringify(x), i] as const));
    (scope?.exclude ?? []).forEach((x, i) => {
      const same = include.get(JSON.stringify(x));
      if (same === undefined) return;
      const scopeAt = child(identity, 'scope', scope);
      out.push(
        diagnosticAt(
          child(child(scopeAt, 'exclude', scope?.exclude), i, x),
          'error',
          'identity.scope-contradiction',
          `the same condition both includes and excludes people (include at ${whereIs(child(child(scopeAt, 'include', null), same, null))})`,
          'keep it in one of "include" and "exclude"',
        ),
      );
    });
  }
  return out;
}

function checkLinks(c: Collected): Diagnostic[] {
  const key = personKey(c);
  const out = repeated(
    c.links.map((l) => child(l, 'person', l.value.person)),
    key,
    (again, first) =>
      diagnosticAt(
        again,
        'error',
        'link.duplicate-person',
        `person "${again.value}" is linked twice (first at ${whereIs(first)})`,
        'keep one link per person, with every account of that person in it',
      ),
  );
  // One account belongs to one person: the same account in two people's links contradicts itself.
  const accounts: Located<string>[] = [];
  for (const l of c.links) {
    for (const idp of ['okta', 'onelogin'] as const) {
      const account = l.value[idp];
      if (typeof account === 'string') {
        accounts.push(child(l, idp, account));
      }
    }
    const sf = child(l, 'salesforce', l.value.salesforce);
    for (const [org, username] of Object.entries(l.value.salesforce ?? {}))
      if (typeof username === 'string') accounts.push(child(sf, org, username));
  }
  const accountKey = (at: Located<string>) => {
    const segs = at.pointer.split('/');
    const where =
      segs[segs.length - 2] === 'salesforce' ? `salesforce.${segs[segs.length - 1]}` : segs[segs.length - 1];
    return `${where}:${key(at.value)}`;
  };
  const seen = new Map<string, Located<string>>();
  for (const at of accounts) {
    const k = accountKey(at);
    const first = seen.get(k);
    if (!first) {
      seen.set(k, at);
      continue;
    }
    out.push(
      diagnosticAt(
        at,
        'error',
        'link.duplicate-account',
        `account "${at.value}" (${k.slice(0, k.indexOf(':'))}) is linked to two people (first at ${whereIs(first)})`,
        'an account belongs to one person: remove it from one of the links',
      ),
    );
  }
  return out;
}

function checkGroups(c: Collected): Diagnostic[] {
  const key = personKey(c);
  return c.groups.flatMap((g) =>
    repeated(listOf<string>(g, 'members', g.value.members), key, (again, first) =>
      diagnosticAt(
        again,
        'warning',
        'groups.duplicate-member',
        `member "${again.value}" is listed twice in "${g.value.name}" (first at ${whereIs(first)})`,
        'list each member once',
      ),
    ),
  );
}

function checkExceptions(c: Collected): Diagnostic[] {
  const key = personKey(c);
  const out: Diagnostic[] = [];
  for (const x of c.exceptions) {
    const { permissionSets = [], permissionSetGroups = [] } = x.value;
    if (permissionSets.length === 0 && permissionSetGroups.length === 0)
      out.push(
        diagnosticAt(
          x,
          'error',
          'exception.empty',
          `exception "${x.value.id}" grants nothing: it lists no permission set and no permission set group`,
          'add "permissionSets" or "permissionSetGroups", or remove the exception',
        ),
      );
  }
  // The same entitlement for the same person in two exceptions: which expiry holds is unclear.
  const grants = c.exceptions.flatMap((x) =>
    (['permissionSets', 'permissionSetGroups'] as const).flatMap((field) =>
      listOf<string>(x, field, x.value[field]).map((at) => ({
        at,
        x,
        k: `${key(x.value.person)}|${x.value.org}|${field}|${at.value}`,
      })),
    ),
  );
  const seen = new Map<string, (typeof grants)[number]>();
  for (const g of grants) {
    const first = seen.get(g.k);
    if (!first) {
      seen.set(g.k, g);
      continue;
    }
    out.push(
      diagnosticAt(
        g.at,
        first.x === g.x ? 'error' : 'warning',
        first.x === g.x ? 'exception.duplicate-entitlement' : 'exception.overlap',
        first.x === g.x
          ? `"${g.at.value}" is listed twice in exception "${g.x.value.id}" (first at ${whereIs(first.at)})`
          : `exception "${g.x.value.id}" grants "${g.at.value}" to ${g.x.value.person}, as exception "${first.x.value.id}" already does (${whereIs(first.at)}), each with its own expiry`,
        first.x === g.x
          ? 'list it once'
          : 'keep one exception per grant, so one expiry and one ticket decide it',
      ),
    );
  }
  return out;
}

function checkLifecycle(c: Collected): Diagnostic[] {
  const key = personKey(c);
  const out: Diagnostic[] = [];
  const successors = new Map<string, { leaver: string; successor: string; at: Located<string> }>();
  for (const l of c.lifecycles) {
    const at = child(l, 'successors', l.value.successors);
    for (const [leaver, successor] of Object.entries(l.value.successors ?? {})) {
      const entry = child(at, leaver, successor);
      if (key(leaver) === key(successor))
        out.push(
          diagnosticAt(
            entry,
            'error',
            'lifecycle.successor-self',
            `"${leaver}" is named as their own successor`,
            'name someone who stays, e.g. their team lead',
          ),
        );
      else successors.set(key(leaver), { leaver, successor, at: entry });
    }
    for (const [org, off] of Object.entries(l.value.salesforce ?? {})) {
      const transfer = off.transfer;
      if (!transfer) continue;
      const at = child(child(child(l, 'salesforce', null), org, off), 'transfer', transfer);
      for (const [field, items] of [
        ['objects', transfer.objects],
        ['to', transfer.to],
      ] as const)
        add(
          out,
          repeated(
            listOf<unknown>(at, field, items as unknown[]),
            (v) => JSON.stringify(v),
            (again, first) =>
              diagnosticAt(
                again,
                'warning',
                'lifecycle.transfer-duplicate',
                `${JSON.stringify(again.value)} is listed twice in transfer.${field} (first at ${whereIs(first)})`,
                field === 'to'
                  ? 'recipients are tried in order: the second mention is never reached'
                  : 'list each object once',
              ),
          ),
        );
    }
  }
  // A ring of successors (a -> b -> a): when they leave together, the records have nowhere to go.
  const reported = new Set<string>();
  for (const start of successors.keys()) {
    const path: string[] = [];
    let at: string | undefined = start;
    while (at !== undefined && successors.has(at) && !path.includes(at)) {
      path.push(at);
      at = key(successors.get(at)!.successor);
    }
    if (at !== start || path.length < 2) continue;
    const ring = [...path].sort().join('|');
    if (reported.has(ring)) continue;
    reported.add(ring);
    const names = [...path, start].map((p) => successors.get(p)?.leaver ?? p);
    const last = successors.get(path[path.length - 1]!)!;
    out.push(
      diagnosticAt(
        last.at,
        'warning',
        'lifecycle.successor-cycle',
        `successors form a ring: ${names.join(' -> ')}`,
        'end the chain with someone who stays, so records always find a recipient',
      ),
    );
  }
  return out;
}

const SF_FIELDS = ['profile', 'role', 'permissionSet', 'permissionSetGroup'] as const;

const entitlementOf = (e: EntitlementRef): string | undefined => {
  const set = [...SF_FIELDS, 'oktaGroup', 'oneloginRole'].filter(
    (f) => e[f as keyof EntitlementRef] !== undefined,
  );
  return set.length === 1 ? `${set[0]}:${e[set[0] as keyof EntitlementRef]}` : undefined;
};

const NAMES: Record<string, string> = {
  profile: 'profile',
  role: 'role',
  permissionSet: 'permission set',
  permissionSetGroup: 'permission set group',
};
/** `permissionSet:Pay` as a person reads it: `permission set "Pay"`. */
const describe = (e: string | undefined): string => {
  const at = (e ?? '').indexOf(':');
  return `${NAMES[(e ?? '').slice(0, at)] ?? ''} "${(e ?? '').slice(at + 1)}"`;
};

/** What a grant holds, as `field:name` (the names of EntitlementRef). */
const held = (g: SalesforceGrant): Set<string> =>
  new Set([
    ...(g.profile !== undefined ? [`profile:${g.profile}`] : []),
    ...(g.role !== undefined ? [`role:${g.role}`] : []),
    ...(g.permissionSets ?? []).map((p) => `permissionSet:${p}`),
    ...(g.permissionSetGroups ?? []).map((p) => `permissionSetGroup:${p}`),
  ]);

function checkGuardrails(c: Collected, orgKeys: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const protectedAt = c.guardrails.flatMap((g) =>
    listOf<string>(g, 'protectedAccounts', g.value.protectedAccounts),
  );
  add(
    out,
    repeated(
      protectedAt,
      (v) => v.toLowerCase(),
      (again, first) =>
        diagnosticAt(
          again,
          'warning',
          'guardrails.duplicate-entry',
          `protected account "${again.value}" is listed twice (first at ${whereIs(first)})`,
          'list it once',
        ),
    ),
  );
  for (const sod of c.separationOfDuties) {
    const entries = listOf<EntitlementRef>(sod, 'entitlements', sod.value.entitlements);
    // Two entries that one assignment satisfies (equal, or one for "*" and one for its org) make
    // a single entitlement a violation on its own.
    for (let j = 1; j < entries.length; j++)
      for (let i = 0; i < j; i++) {
        const [a, b] = [entries[i]!.value, entries[j]!.value];
        const same = entitlementOf(a) !== undefined && entitlementOf(a) === entitlementOf(b);
        const orgsMeet = a.org === b.org || a.org === '*' || b.org === '*';
        if (same && orgsMeet) {
          out.push(
            diagnosticAt(
              entries[j]!,
              'error',
              'sod.duplicate-entitlement',
              `separation of duties "${sod.value.id}" lists the same entitlement twice (first at ${whereIs(entries[i]!)}): holding it alone would count as a violation`,
              'list each entitlement once',
            ),
          );
          break;
        }
      }
    // A rule that grants two of the conflicting entitlements makes everyone it matches a violation.
    for (const rule of c.access) {
      const grants = rule.value.grants;
      const orgs = [...new Set([...orgKeys, ...Object.keys(grants).filter((k) => k !== '*')])];
      for (const org of orgs) {
        const grant = Object.hasOwn(grants, org) ? grants[org] : grants['*'];
        if (!grant) continue;
        const has = held(grant);
        const hit = sod.value.entitlements.filter(
          (e) => e && (e.org === '*' || e.org === org) && has.has(entitlementOf(e) ?? ''),
        );
        if (new Set(hit.map(entitlementOf)).size < 2) continue;
        const from = Object.hasOwn(grants, org) ? org : '*';
        out.push(
          diagnosticAt(
            child(child(rule, 'grants', grants), from, grant),
            'error',
            'sod.rule-grants-conflict',
            `rule "${rule.value.id}" grants ${[...new Set(hit.map(entitlementOf))].map(describe).join(' and ')} in org "${org}", which separation of duties "${sod.value.id}" forbids together (${whereIs(sod)})`,
            'grant them through different rules for different people, or change the separation-of-duties rule',
          ),
        );
        break;
      }
    }
  }
  return out;
}

const CONNECTION_SUFFIX: Partial<Record<keyof SalesforceConnection, string>> = {
  instanceUrlEnv: 'INSTANCE_URL',
  accessTokenEnv: 'ACCESS_TOKEN',
  usernameEnv: 'USERNAME',
};

/** Two orgs that read their instance, token or user from one variable are one org twice. */
function checkConnections(c: Collected): Diagnostic[] {
  const seen = new Map<string, { org: string; at: Located<unknown> }>();
  const out: Diagnostic[] = [];
  for (const p of c.platforms) {
    const orgsAt = child(p, 'salesforce', p.value.salesforce);
    for (const [org, settings] of Object.entries(p.value.salesforce ?? {})) {
      const prefix = `SF_${org.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
      for (const [field, suffix] of Object.entries(CONNECTION_SUFFIX) as [
        keyof SalesforceConnection,
        string,
      ][]) {
        const explicit = settings.connection?.[field];
        const name = explicit ?? `${prefix}${suffix}`;
        const at = explicit
          ? child(child(child(orgsAt, org, settings), 'connection', settings.connection), field, explicit)
          : child(orgsAt, org, settings);
        const first = seen.get(name);
        if (first && first.org !== org)
          out.push(
            diagnosticAt(
              at,
              'error',
              'platform.shared-connection',
              `Salesforce orgs "${first.org}" and "${org}" both read ${field} from ${name} (first at ${whereIs(first.at)})`,
              'give each org its own connection variables (or remove the org declared twice)',
              !explicit,
            ),
          );
        else seen.set(name, { org, at });
      }
    }
  }
  return out;
}

export function checkConsistency(c: Collected): Diagnostic[] {
  const orgKeys = [...new Set(c.platforms.flatMap((p) => Object.keys(p.value.salesforce ?? {})))];
  return [
    ...checkIdentity(c),
    ...checkLinks(c),
    ...checkGroups(c),
    ...checkExceptions(c),
    ...checkLifecycle(c),
    ...checkGuardrails(c, orgKeys),
    ...checkConnections(c),
  ];
}
