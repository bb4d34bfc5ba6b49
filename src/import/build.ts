import { compile } from '../compile/compile.js';
import type { Person } from '../compile/people.js';
import type { SalesforceUser, Snapshots } from '../model/snapshot.js';
import { emptyState } from '../model/state.js';
import { matchesAnyGlob } from '../compile/conditions.js';
import { InvalidPolicyError } from '../policy/diagnostics.js';
import type { LoadedDocument } from '../policy/load.js';
import type { Policy } from '../policy/policy.js';
import { readJsonPolicy } from '../policy/read/json.js';
import type {
  AccessException,
  AccessRule,
  Condition,
  Guardrails,
  Platforms,
  PolicyDocument,
  SalesforceGrant,
} from '../policy/types.js';
import { validateDocuments } from '../policy/validate.js';
import type { Conflict } from '../model/findings.js';
import { inferIdentity } from './identity.js';
import { linkChoices, linksReviewMarkdown, type LinkChoice } from './links.js';
import { mine, withPairs, type Candidate, type MinedRule, type Thresholds } from './mine.js';
import { DEFAULT_MIN_MIRROR_AGREEMENT, findMirrors, type ReportedMirror } from './mirrors.js';

/**
 * `accord import` without the network (UC-27): snapshots in, policy documents and a report out.
 *
 * 1. Platforms come from the connection, identity is inferred (identity.ts).
 * 2. That identity alone is compiled, which matches every Salesforce user to a person exactly as
 *    a plan will (same keys, same conflicts).
 * 3. Per org and per entitlement (org access, each profile, role, permission set and group), the
 *    Okta groups and OneLogin roles (and intersections of two) that explain its holders are mined
 *    (mine.ts).
 * 4. Each mined rule excludes by login the members who do not hold what it grants today, so the
 *    imported policy changes nobody's access; single-valued fields (profile, role) go by priority:
 *    smaller groups rank higher, and a member a higher rule already gives their value needs no
 *    exclusion.
 * 5. Holders nothing explains get individual rules (org access, profile, role: exceptions cannot
 *    carry those) and exceptions (permission sets and groups) with a long expiry, the ticket
 *    `IMPORT` and a reason that says so, for review to shrink.
 * 6. Okta groups and OneLogin roles that hold the same people become `mirrors`, only where
 *    declaring them changes no membership today; the near ones are reported (mirrors.ts).
 *
 * People who leave (suspended, deprovisioned) and people in a matching conflict are left out of
 * mining: the lifecycle decides for the first, a `links` decision for the second.
 *
 * Over a policy that exists already (`existing`), import proposes only the difference: people are
 * matched by that policy's identity, what its compiled rules and exceptions already give someone
 * is neither mined nor excepted again (it counts for a rule's precision, never against it), new
 * profile and role rules rank above every existing one, and ids stay clear of the existing ones.
 * Platforms and identity are not written again; protected accounts only those not yet protected.
 */

export interface ImportOptions {
  thresholds: Thresholds;
  /** settings.environment of the imported policy. */
  environment: string;
  /** Today (UTC, YYYY-MM-DD): exception expiry is counted from it. */
  today: string;
  /** Days until imported exceptions expire. */
  exceptionDays?: number;
  /** The policy already in the folder, validated: only what it does not explain is proposed. */
  existing?: ExistingPolicy;
  /**
   * Hold the lifecycle back for today's leavers: their still-active Salesforce users are written
   * to `guardrails.protectedAccounts` in a file of their own (`held-leavers.json`), so the first
   * plan offboards nobody. Off by default: it keeps people who left in Salesforce until the
   * entries are deleted (every plan warns about each one meanwhile).
   */
  holdLeavers?: boolean;
  /**
   * Least agreement (people in both / people in either) of an Okta group and a OneLogin role for
   * import to report them as a mirror (mirrors.ts); only exact ones are written.
   * @default 0.95
   */
  minMirrorAgreement?: number;
}

export interface ExistingPolicy {
  policy: Policy;
  /** Its documents, validated again together with what import proposes. */
  documents: LoadedDocument[];
}

export type EntitlementKind = 'access' | 'profile' | 'role' | 'permissionSet' | 'permissionSetGroup';

export interface ReportedGrant {
  org: string;
  kind: EntitlementKind;
  /** Empty for org access. */
  value: string;
  precision: number;
  coverage: number;
  /** Holders the rule explains, of `holders`. */
  explained: number;
  holders: number;
  /** Members excluded by login because they do not hold it today. */
  excluded: number;
}

export interface ImportReport {
  thresholds: Thresholds & { minMirrorAgreement: number };
  /** Set when import proposed the difference over a policy already in the folder. */
  existing?: { documents: number; rules: number; exceptions: number };
  identity: string[];
  rules: { id: string; when: string; priority?: number; grants: ReportedGrant[] }[];
  /** Rules for one person: org access, profile or role that no group explains. */
  individualRules: number;
  exceptions: number;
  /** Permission sets and groups the exceptions carry. */
  exceptionGrants: number;
  /** Per org: active users, how many match a person, and unexplained grants. */
  orgs: { org: string; activeUsers: number; matched: number; orphans: number; unexplained: number }[];
  orphans: { org: string; username: string; profile: string }[];
  protectedCandidates: { org: string; username: string; person?: string; why: string }[];
  /** Matching conflicts, each with every `links` entry that would settle it (none is chosen). */
  conflicts: {
    person: string;
    platform: string;
    kind: Conflict['kind'];
    candidates: string[];
    message: string;
    choices: LinkChoice[];
  }[];
  /** People whose home status takes access away but who still have an active Salesforce user. */
  leavers: { person: string; status: string; org: string; username: string }[];
  /** With `holdLeavers`: the leavers' usernames written to protectedAccounts (held-leavers.json). */
  heldLeavers: string[];
  /**
   * Okta group and OneLogin role pairs that agree at least `minMirrorAgreement`, best first: those
   * that are exact were written to `mirrors` (`mirror` names the entry), the others only reported
   * with the membership changes declaring them would make.
   */
  mirrors: ReportedMirror[];
}

export interface ImportFile {
  /** `access.json`; written as `access.ts` with `--policy-format ts`. */
  name: string;
  document: PolicyDocument;
  /** One line said at the top of a TS file (JSON has no comments). */
  header?: string;
  /** A proposal over an existing policy: written under a name no file in the folder has yet. */
  freshName?: true;
}

export interface ImportResult {
  files: ImportFile[];
  report: ImportReport;
  /** A note for reviewers beside the policy files (never read as policy): the links to decide. */
  review?: ReviewNote;
}

/** Rewritten by every import while conflicts remain; left alone when it says the same already. */
export interface ReviewNote {
  name: string;
  text: string;
}

// Org access last: every rule of an org grants it, so it is mined only for holders no other rule has.
const KINDS: EntitlementKind[] = ['profile', 'role', 'permissionSet', 'permissionSetGroup', 'access'];
const SINGLE = new Set<EntitlementKind>(['profile', 'role']);

/** Documents validated in memory (after `existing` ones), as `accord validate` would read them from files. */
export function validateFiles(
  files: readonly ImportFile[],
  today: string,
  existing: readonly LoadedDocument[] = [],
): Policy {
  const docs = files.map((f) => {
    const read = readJsonPolicy(f.name, new TextEncoder().encode(`${JSON.stringify(f.document, null, 2)}\n`));
    if (!read.document)
      throw new InvalidPolicyError(read.diagnostics, `import wrote an unreadable ${f.name}`);
    return read.document;
  });
  const result = validateDocuments([...existing, ...docs], { today });
  if (!result.policy)
    throw new InvalidPolicyError(
      result.diagnostics,
      'the imported policy does not validate (a bug in import)',
    );
  return result.policy;
}

interface Component {
  org: string;
  kind: EntitlementKind;
  value: string;
  mined: MinedRule;
  holders: ReadonlySet<number>;
  /** Members the existing policy already gives it: neither holders to explain nor to exclude. */
  neutral: ReadonlySet<number>;
  excluded: number[];
  /** Single-valued: members a higher rule gives their value, whom this rule may exclude as well. */
  optional: number[];
}

export function buildImport(
  snapshots: Snapshots,
  platforms: Platforms,
  options: ImportOptions,
): ImportResult {
  const { thresholds, today } = options;
  const existing = options.existing?.policy;
  const inferred = existing ? undefined : inferIdentity(snapshots);
  const base: ImportFile[] = inferred
    ? [
        { name: 'platforms.json', document: { settings: { environment: options.environment }, platforms } },
        { name: 'identity.json', document: { identity: inferred.identity } },
      ]
    : [];
  // The identity alone (or the existing policy), compiled: who is whom, exactly as a plan on the
  // imported policy matches.
  const draft = existing ?? validateFiles(base, today);
  const desired = compile(draft, snapshots, emptyState(), { today });
  const people = desired.people;
  const positionOf = new Map(people.map((p, i) => [p.key, i]));
  /** What the existing policy gives each person per org: `${org}\0${i}` → `${kind}\0${value}`. */
  const declared = new Map<string, Set<string>>();
  if (existing)
    for (const d of desired.salesforce) {
      const i = positionOf.get(d.person);
      if (!d.present || i === undefined) continue;
      const keys = new Set([`access\u0000`]);
      if (d.profile) keys.add(`profile\u0000${d.profile.name}`);
      if (d.role) keys.add(`role\u0000${d.role.name}`);
      for (const g of d.permissionSets) keys.add(`permissionSet\u0000${g.name}`);
      for (const g of d.permissionSetGroups) keys.add(`permissionSetGroup\u0000${g.name}`);
      declared.set(`${d.org}\u0000${i}`, keys);
    }
  const ownerOf = { okta: new Map<string, number>(), onelogin: new Map<string, number>() };
  people.forEach((p, i) => {
    if (p.accounts.okta) ownerOf.okta.set(p.accounts.okta.id, i);
    if (p.accounts.onelogin) ownerOf.onelogin.set(p.accounts.onelogin.id, i);
  });
  const groupCandidates: Candidate[] = [];
  for (const idp of ['okta', 'onelogin'] as const) {
    for (const g of snapshots[idp]?.groups ?? []) {
      const members = new Set<number>();
      for (const id of g.memberIds) {
        const i = ownerOf[idp].get(id);
        if (i !== undefined) members.add(i);
      }
      groupCandidates.push({
        label: `${idp}:${g.name}`,
        condition: idp === 'okta' ? { oktaGroup: g.name } : { oneloginRole: g.name },
        terms: 1,
        members,
      });
    }
  }

  const minMirrorAgreement = options.minMirrorAgreement ?? DEFAULT_MIN_MIRROR_AGREEMENT;
  const report: ImportReport = {
    thresholds: { ...thresholds, minMirrorAgreement },
    identity: inferred?.notes ?? [
      "the existing policy's identity (nothing inferred over an existing policy)",
    ],
    rules: [],
    individualRules: 0,
    exceptions: 0,
    exceptionGrants: 0,
    orgs: [],
    orphans: [],
    protectedCandidates: [],
    conflicts: desired.conflicts.map((c) => ({
      person: c.person,
      platform: c.platform,
      kind: c.kind,
      candidates: c.candidates,
      message: c.message,
      choices: linkChoices(c),
    })),
    leavers: [],
    heldLeavers: [],
    mirrors: [],
  };
  if (existing)
    report.existing = {
      documents: options.existing!.documents.length,
      rules: existing.access.length,
      exceptions: existing.exceptions.length,
    };

  const components: Component[] = [];
  /** Unexplained holders: person → org → what. */
  const individual = new Map<number, Map<string, { access?: true; profile?: string; role?: string }>>();
  const excepted = new Map<
    number,
    Map<string, { permissionSets: string[]; permissionSetGroups: string[] }>
  >();
  const orgs = Object.keys((existing?.platforms ?? platforms).salesforce ?? {}).sort();

  for (const org of orgs) {
    const snapshot = snapshots.salesforce[org];
    if (!snapshot) continue;
    const conflicted = new Set(
      desired.conflicts.filter((c) => c.platform === snapshot.platform).map((c) => c.person),
    );
    // Who mining is about here: people whose rules decide their access (not leavers), and whose
    // account is certain (not in a conflict).
    const cared = (p: Person) => !p.leaving && !conflicted.has(p.key);
    const live = new Map<number, SalesforceUser>();
    for (const d of desired.salesforce) {
      if (d.org !== org || !d.live) continue;
      const i = positionOf.get(d.person);
      if (i === undefined) continue;
      const p = people[i]!;
      if (cared(p)) live.set(i, d.live);
      else if (p.leaving && d.live.isActive && p.leaving.salesforce !== 'keep')
        report.leavers.push({ person: p.key, status: p.leaving.status, org, username: d.live.username });
    }
    const assigned = new Map<string, { ps: string[]; psg: string[] }>();
    for (const a of snapshot.assignments) {
      const entry = assigned.get(a.userId) ?? assigned.set(a.userId, { ps: [], psg: [] }).get(a.userId)!;
      if (a.permissionSet) entry.ps.push(a.permissionSet);
      if (a.permissionSetGroup) entry.psg.push(a.permissionSetGroup);
    }
    const holders = new Map<string, Set<number>>();
    const neutral = new Map<string, Set<number>>();
    const hold = (kind: EntitlementKind, value: string, i: number) => {
      const key = `${kind}\u0000${value}`;
      const into = declared.get(`${org}\u0000${i}`)?.has(key) ? neutral : holders;
      (into.get(key) ?? into.set(key, new Set()).get(key)!).add(i);
    };
    for (const [i, u] of live) {
      if (!u.isActive) continue;
      hold('access', '', i);
      hold('profile', u.profile, i);
      if (u.role) hold('role', u.role, i);
      for (const ps of assigned.get(u.id)?.ps ?? []) hold('permissionSet', ps, i);
      for (const psg of assigned.get(u.id)?.psg ?? []) hold('permissionSetGroup', psg, i);
    }
    const caredSet = new Set<number>();
    people.forEach((p, i) => {
      if (cared(p)) caredSet.add(i);
    });
    const singles = groupCandidates
      .map((c) => ({ ...c, members: new Set([...c.members].filter((m) => caredSet.has(m))) }))
      .filter((c) => c.members.size > 0);

    let unexplained = 0;
    for (const kind of KINDS) {
      // Biggest first: a group chosen for one profile (or role) is not offered for another, so
      // no two rules of one priority give a person two values.
      const values = [...holders]
        .filter(([key]) => key.startsWith(`${kind}\u0000`))
        .map(([key, set]) => ({ value: key.slice(kind.length + 1), set }))
        .sort((a, b) => b.set.size - a.set.size || (a.value < b.value ? -1 : 1));
      const used = new Set<string>();
      for (const { value, set } of values) {
        const offered = SINGLE.has(kind) ? singles.filter((c) => !used.has(c.label)) : singles;
        const granted = new Set<number>();
        if (kind === 'access')
          for (const c of components)
            if (c.org === org)
              for (const m of c.mined.candidate.members) if (c.holders.has(m)) granted.add(m);
        const already = neutral.get(`${kind}\u0000${value}`) ?? new Set<number>();
        const fine = already.size === 0 ? set : new Set([...set, ...already]);
        const mined = mine(set, withPairs(offered, fine), thresholds, granted, already);
        for (const rule of mined.rules) {
          used.add(rule.candidate.label);
          components.push({
            org,
            kind,
            value,
            mined: rule,
            holders: set,
            neutral: already,
            excluded: [],
            optional: [],
          });
        }
        unexplained += mined.unexplained.length;
        for (const i of mined.unexplained) {
          if (kind === 'permissionSet' || kind === 'permissionSetGroup') {
            const byOrg = excepted.get(i) ?? excepted.set(i, new Map()).get(i)!;
            const x =
              byOrg.get(org) ?? byOrg.set(org, { permissionSets: [], permissionSetGroups: [] }).get(org)!;
            (kind === 'permissionSet' ? x.permissionSets : x.permissionSetGroups).push(value);
          } else {
            const byOrg = individual.get(i) ?? individual.set(i, new Map()).get(i)!;
            const x = byOrg.get(org) ?? byOrg.set(org, {}).get(org)!;
            if (kind === 'access') x.access = true;
            else x[kind as 'profile' | 'role'] = value;
          }
        }
      }
    }

    const active = snapshot.users.filter((u) => u.isActive);
    const orphans = desired.orphans[org] ?? [];
    report.orgs.push({
      org,
      activeUsers: active.length,
      matched: active.length - orphans.length,
      orphans: orphans.length,
      unexplained,
    });
    const setsOf = (u: SalesforceUser) => [
      ...(assigned.get(u.id)?.ps ?? []),
      ...(assigned.get(u.id)?.psg ?? []),
    ];
    for (const u of orphans) {
      report.orphans.push({ org, username: u.username, profile: u.profile });
      const why = protectedReason(u, setsOf(u));
      if (why) report.protectedCandidates.push({ org, username: u.username, why });
    }
    for (const [i, u] of live) {
      const why = u.isActive ? protectedReason(u, setsOf(u), true) : undefined;
      if (why) report.protectedCandidates.push({ org, username: u.username, person: people[i]!.key, why });
    }
  }

  // Priorities for profile and role: the smaller a group, the more specific, the higher it ranks.
  const ranked = [
    ...new Map(
      components.filter((c) => SINGLE.has(c.kind)).map((c) => [c.mined.candidate.label, c.mined.candidate]),
    ).values(),
  ].sort((a, b) => a.members.size - b.members.size || (a.label < b.label ? -1 : 1));
  // Over an existing policy, above every priority it has: a new rule's value must win.
  const floor = (existing?.access ?? []).reduce((most, r) => Math.max(most, r.priority ?? 0), 0);
  const priorityOf = new Map(ranked.map((c, i) => [c.label, floor + 10 * (ranked.length - i)]));
  const individualPriority = floor + 10 * (ranked.length + 1);

  for (const c of components) {
    const members = c.mined.candidate.members;
    if (!SINGLE.has(c.kind)) c.excluded = [...members].filter((m) => !c.holders.has(m) && !c.neutral.has(m));
  }
  for (const org of orgs) {
    for (const kind of ['profile', 'role'] as const) {
      const claimed = new Set<number>();
      for (const [i, byOrg] of individual) if (byOrg.get(org)?.[kind] !== undefined) claimed.add(i);
      const ordered = components
        .filter((c) => c.org === org && c.kind === kind)
        .sort((a, b) => priorityOf.get(b.mined.candidate.label)! - priorityOf.get(a.mined.candidate.label)!);
      for (const c of ordered) {
        for (const m of c.mined.candidate.members) {
          if (claimed.has(m)) c.optional.push(m);
          else if (c.holders.has(m) || c.neutral.has(m)) claimed.add(m);
          else c.excluded.push(m);
        }
      }
    }
  }

  alignExclusions(components);

  const access: AccessRule[] = [];
  const ids = new Set<string>([
    ...(existing?.access ?? []).map((r) => r.id),
    ...(existing?.exceptions ?? []).map((x) => x.id),
    ...(existing?.mirrors ?? []).map((m) => m.id),
    ...(existing?.identity.populations ?? []).map((p) => p.id),
  ]);
  const uniqueId = (base: string) => {
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
    ids.add(id);
    return id;
  };
  const loginsOf = (indices: readonly number[]) => indices.map((i) => people[i]!.key).sort();
  const buckets = new Map<string, { condition: Condition; label: string; parts: Component[] }>();
  for (const c of components) {
    const condition = withExclusions(c.mined.candidate.condition, loginsOf(c.excluded));
    const key = JSON.stringify(condition);
    const bucket =
      buckets.get(key) ??
      buckets.set(key, { condition, label: c.mined.candidate.label, parts: [] }).get(key)!;
    bucket.parts.push(c);
  }
  for (const { condition, label, parts } of buckets.values()) {
    const grants: Record<string, SalesforceGrant> = {};
    let priority: number | undefined;
    for (const c of parts) {
      const grant = (grants[c.org] ??= {});
      if (c.kind === 'profile' || c.kind === 'role') {
        grant[c.kind] = c.value;
        priority = priorityOf.get(label);
      } else if (c.kind === 'permissionSet') (grant.permissionSets ??= []).push(c.value);
      else if (c.kind === 'permissionSetGroup') (grant.permissionSetGroups ??= []).push(c.value);
    }
    for (const g of Object.values(grants)) {
      g.permissionSets?.sort();
      g.permissionSetGroups?.sort();
    }
    const excluded = parts.reduce((most, c) => Math.max(most, c.excluded.length), 0);
    const id = uniqueId(slug(label.replace(/^(okta|onelogin):/g, '').replace(/ & (okta|onelogin):/g, ' ')));
    access.push({
      id,
      description:
        `Imported: ${label} explains ${parts.map(describe).join('; ')}` +
        (excluded > 0 ? `. Members who do not hold it today are excluded by login (${excluded}).` : '.'),
      when: condition,
      ...(priority !== undefined ? { priority } : {}),
      grants: sortedGrants(grants),
    });
    report.rules.push({
      id,
      when: label,
      ...(priority !== undefined ? { priority } : {}),
      grants: parts.map((c) => ({
        org: c.org,
        kind: c.kind,
        value: c.value,
        precision: round(c.mined.precision),
        coverage: round(c.mined.coverage),
        explained: c.mined.explained,
        holders: c.holders.size,
        excluded: c.excluded.length,
      })),
    });
  }

  for (const [i, byOrg] of [...individual].sort((a, b) => a[0] - b[0])) {
    const person = people[i]!.key;
    const grants: Record<string, SalesforceGrant> = {};
    for (const [org, x] of byOrg) {
      const g: SalesforceGrant = {};
      if (x.profile) g.profile = x.profile;
      if (x.role) g.role = x.role;
      grants[org] = g;
    }
    const needsPriority = [...byOrg.values()].some((x) => x.profile || x.role);
    access.push({
      id: uniqueId(`person-${slug(person)}`),
      description: `Imported: ${person} holds this today and no group or role explains it; review, then move them into a group or remove it.`,
      when: { attribute: { name: 'login', equals: person } },
      ...(needsPriority ? { priority: individualPriority } : {}),
      grants: sortedGrants(grants),
    });
    report.individualRules++;
  }

  const expires = addDays(today, options.exceptionDays ?? 365);
  const exceptions: AccessException[] = [];
  for (const [i, byOrg] of [...excepted].sort((a, b) => a[0] - b[0])) {
    const person = people[i]!.key;
    for (const [org, x] of [...byOrg].sort(([a], [b]) => (a < b ? -1 : 1))) {
      exceptions.push({
        id: uniqueId(`import-${slug(person)}-${org.replace(/_/g, '-')}`),
        person,
        org,
        ...(x.permissionSets.length > 0 ? { permissionSets: x.permissionSets.sort() } : {}),
        ...(x.permissionSetGroups.length > 0 ? { permissionSetGroups: x.permissionSetGroups.sort() } : {}),
        expires,
        ticket: 'IMPORT',
        reason: `Imported by accord import on ${today}: held in ${org} and explained by no group or role. Review: keep (with a real ticket), move into a rule, or remove.`,
      });
      report.exceptionGrants += x.permissionSets.length + x.permissionSetGroups.length;
    }
  }
  report.exceptions = exceptions.length;

  // Mirrors: only what no existing declaration owns or mirrors already.
  const taken = new Set<string>([
    ...(existing?.groups ?? []).map((g) => `${g.platform}:${g.name}`),
    ...(existing?.mirrors ?? []).flatMap((m) =>
      m.pairs.flatMap((p) => [`okta:${p.okta}`, `onelogin:${p.onelogin}`]),
    ),
  ]);
  const found = findMirrors(draft, snapshots, people, { minAgreement: minMirrorAgreement, taken, uniqueId });
  report.mirrors = found.report;
  const mirrorsFile: PolicyDocument = { mirrors: found.mirrors };

  const guardrails: Guardrails = {};
  const alreadyProtected = existing?.guardrails.protectedAccounts ?? [];
  const protect = [
    ...new Set(report.protectedCandidates.filter((c) => !c.person).map((c) => c.username.toLowerCase())),
  ]
    .filter((u) => !matchesAnyGlob(u, alreadyProtected))
    .sort();
  if (protect.length > 0) guardrails.protectedAccounts = protect;
  if (options.holdLeavers)
    report.heldLeavers = [...new Set(report.leavers.map((l) => l.username.toLowerCase()))]
      .filter((u) => !matchesAnyGlob(u, alreadyProtected))
      .sort();
  const held: PolicyDocument = { guardrails: { protectedAccounts: report.heldLeavers } };
  const review: ReviewNote | undefined =
    desired.conflicts.length === 0
      ? undefined
      : { name: 'links-to-review.md', text: linksReviewMarkdown(desired.conflicts) };
  const heldHeader = `Leavers whose Salesforce users accord import found still active on ${today}, protected so that the first plan offboards nobody (--hold-leavers). Delete an entry to let the lifecycle offboard that user.`;

  if (!existing)
    return {
      files: [
        ...base,
        { name: 'access.json', document: { access } },
        { name: 'exceptions.json', document: { exceptions } },
        { name: 'guardrails.json', document: { guardrails } },
        ...(found.mirrors.length > 0 ? [{ name: 'mirrors.json', document: mirrorsFile }] : []),
        ...(report.heldLeavers.length > 0
          ? [{ name: 'held-leavers.json', document: held, header: heldHeader }]
          : []),
      ],
      report,
      ...(review ? { review } : {}),
    };
  // The difference only: a file for each section that proposes something, named for the day.
  const proposal = (section: string, document: PolicyDocument): ImportFile => ({
    name: `import-${today}-${section}.json`,
    document,
    header: `Proposed by accord import on ${today}: what the existing policy does not explain. Review, then merge or keep.`,
    freshName: true,
  });
  const files: ImportFile[] = [];
  if (access.length > 0) files.push(proposal('access', { access }));
  if (exceptions.length > 0) files.push(proposal('exceptions', { exceptions }));
  if (protect.length > 0) files.push(proposal('guardrails', { guardrails }));
  if (found.mirrors.length > 0) files.push(proposal('mirrors', mirrorsFile));
  if (report.heldLeavers.length > 0) files.push({ ...proposal('held-leavers', held), header: heldHeader });
  return { files, report, ...(review ? { review } : {}) };
}

/**
 * A profile or role rule may also exclude members a higher rule already decides: where that makes
 * its exclusions those of another rule on the same group, the two become one rule.
 */
function alignExclusions(components: Component[]): void {
  const keyOf = (xs: readonly number[]) => [...xs].sort((a, b) => a - b).join(',');
  const byLabel = new Map<string, Component[]>();
  for (const c of components) {
    const label = c.mined.candidate.label;
    (byLabel.get(label) ?? byLabel.set(label, []).get(label)!).push(c);
  }
  for (const group of byLabel.values()) {
    const targets = new Map<string, { set: number[]; n: number }>();
    for (const c of group) {
      const key = keyOf(c.excluded);
      const t = targets.get(key) ?? targets.set(key, { set: [...c.excluded], n: 0 }).get(key)!;
      t.n++;
    }
    const ranked = [...targets.values()].sort((a, b) => b.n - a.n || b.set.length - a.set.length);
    for (const c of group) {
      if (c.optional.length === 0) continue;
      const allowed = new Set([...c.excluded, ...c.optional]);
      const must = new Set(c.excluded);
      const fit = ranked.find(
        (t) => t.set.every((m) => allowed.has(m)) && [...must].every((m) => t.set.includes(m)),
      );
      if (fit) c.excluded = [...fit.set];
    }
  }
}

/** `{ all: [c, { not: login in [...] }] }`, flattening `c` when it is an `all` already. */
function withExclusions(condition: Condition, logins: readonly string[]): Condition {
  if (logins.length === 0) return condition;
  const not: Condition = {
    not: {
      attribute:
        logins.length === 1 ? { name: 'login', equals: logins[0]! } : { name: 'login', in: [...logins] },
    },
  };
  return { all: [...(condition.all ?? [condition]), not] };
}

const describe = (c: Component): string =>
  `${c.org} ${c.kind === 'access' ? 'access' : `${c.kind} ${c.value}`} (precision ${round(c.mined.precision)}, coverage ${round(c.mined.coverage)})`;

const round = (x: number) => Math.round(x * 1000) / 1000;

const sortedGrants = (grants: Record<string, SalesforceGrant>) =>
  Object.fromEntries(Object.entries(grants).sort(([a], [b]) => (a < b ? -1 : 1)));

/** An id of the policy language (`^[a-z][a-z0-9-]*$`) from free text. */
export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(s) ? s : `g-${s || 'x'}`;
}

const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const PRIVILEGED_SETS = /modify_all|view_all|api_only|author_apex|manage_users|customize_application/i;
const SERVICE_NAME = /integration|\bapi\b|api[._-]|service|svc|break-?glass|automation|\bbot\b|sync/i;

/** Why a user looks like one accord should never touch: an integration, a break-glass or an admin. */
function protectedReason(u: SalesforceUser, sets: readonly string[], person = false): string | undefined {
  const name = `${u.username} ${u.firstName ?? ''} ${u.lastName}`;
  if (!person && SERVICE_NAME.test(name)) return 'looks like an integration or break-glass account';
  if (/administrator/i.test(u.profile)) return `admin profile ${u.profile}`;
  const privileged = sets.filter((s) => PRIVILEGED_SETS.test(s));
  if (privileged.length > 0) return `privileged permission sets ${privileged.join(', ')}`;
  return undefined;
}
