import type { PlatformId, SalesforceSnapshot, SalesforceUser } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import { matchOrder } from '../policy/match-order.js';
import type {
  IdpId,
  AccessRule,
  MatchKey,
  SalesforceGrant,
  SalesforceOffboarding,
  SalesforceUserSettings,
  TransferableObject,
  TransferTarget,
} from '../policy/types.js';
import { matchesAnyGlob } from './conditions.js';
import type { Decided } from './links.js';
import type { MatchValues } from './match-values.js';
import type { Normalizer } from './normalize.js';
import type { Person } from './people.js';
import { matchAccounts } from './resolve-identities.js';
import { renderTemplate } from './templates.js';
import type { Conflict, Finding } from '../model/findings.js';

/**
 * Desired Salesforce users of one org (UC-01..UC-07): for each person linked to or entitled to a
 * user, whether it should be present and with what, or offboarded.
 */

export interface Granted {
  name: string;
  rule: string;
}

export interface DesiredSalesforceUser {
  org: string;
  person: string;
  live?: SalesforceUser;
  /** Username: the live one, or the template's for a user to create. */
  username: string;
  present: boolean;
  /** The fact behind the decision, for the plan's reasons. */
  fact: string;
  /** The policy behind the decision: the granting rules' ids, or the lifecycle, scope or access part that removes the user. */
  rule: string;
  profile?: Granted;
  role?: Granted;
  permissionSets: Granted[];
  permissionSetGroups: Granted[];
  /** Fields owned by attribute flows (compared and written), by API name. `ManagerId` holds the manager's Username. */
  ownedFields: Record<string, string | null>;
  /** Fields only written on create (Username, Alias, locale defaults, ...); empty for a live user. */
  createFields: Record<string, string | null>;
  offboard?: {
    /** `freeze`: the status only pauses access (UC-06), so nothing else is taken. */
    mode: 'offboard' | 'freeze';
    settings: Required<Omit<SalesforceOffboarding, 'transfer' | 'fallbackProfiles'>>;
    transfers: Transfer[];
    /** Why deactivation waits (records with nowhere to go); the rest of offboarding goes ahead. */
    held?: string;
  };
}

export interface Transfer {
  object: TransferableObject;
  to: { user: string } | { queue: string };
  /** Why this recipient: manager, successor, fixed user or queue. */
  via: string;
}

const DEFAULT_SETTINGS: Required<SalesforceUserSettings> = {
  username: '{email}',
  federationId: '{login}',
  alias: '{firstName:1}{lastName:7}',
  defaults: {},
};
const DEFAULT_DEFAULTS = {
  TimeZoneSidKey: 'America/Los_Angeles',
  LocaleSidKey: 'en_US',
  EmailEncodingKey: 'UTF-8',
  LanguageLocaleKey: 'en_US',
};

export const userSettings = (policy: Policy, org: string): Required<SalesforceUserSettings> => {
  const star = policy.identity.salesforce?.['*'] ?? {};
  const own = policy.identity.salesforce?.[org] ?? {};
  return {
    ...DEFAULT_SETTINGS,
    ...star,
    ...own,
    defaults: { ...DEFAULT_DEFAULTS, ...star.defaults, ...own.defaults },
  };
};

const offboarding = (policy: Policy, org: string): SalesforceOffboarding => ({
  ...policy.lifecycle.salesforce?.['*'],
  ...policy.lifecycle.salesforce?.[org],
});

const grantFor = <T>(grants: Record<string, T>, org: string): T | undefined => grants[org] ?? grants['*'];

/** Owned fields for this org and their templates: every flow into `salesforce` or `salesforce.<org>`. */
const ownedTemplates = (policy: Policy, org: string): [field: string, template: string, from: IdpId][] =>
  (policy.identity.attributes ?? [])
    .filter((f) => f.to === 'salesforce' || f.to === `salesforce.${org}`)
    .flatMap((f) =>
      Object.entries(f.fields).map(([field, template]): [string, string, IdpId] => [field, template, f.from]),
    );

/**
 * What one combination of access rules grants in one org. People meeting the same rules get the
 * same answer, so it is worked out once per combination.
 */
interface OrgGrants {
  /** The rules of the combination that grant something in this org. */
  rules: readonly AccessRule[];
  /** Their ids, for the plan's reasons. */
  ruleIds: string;
  profile?: Granted;
  role?: Granted;
  /** Rules of the top priority that disagree on a single-valued field: a conflict for each person. */
  rivals: { field: 'profile' | 'role'; priority: number; candidates: string[] }[];
  /** Sorted by name. Shared by everyone with the combination: never mutate. */
  permissionSets: Granted[];
  permissionSetGroups: Granted[];
}

function orgGrants(rules: readonly AccessRule[], org: string): OrgGrants {
  const granting = rules.filter((r) => grantFor(r.grants, org) !== undefined);
  const out: OrgGrants = {
    rules: granting,
    ruleIds: granting.map((r) => r.id).join(', '),
    rivals: [],
    permissionSets: [],
    permissionSetGroups: [],
  };
  // Single-valued fields: the highest priority wins; a tie with different values is a conflict.
  for (const field of ['profile', 'role'] as const) {
    const candidates = granting
      .map((r) => ({ r, value: grantFor(r.grants, org)![field] }))
      .filter((c) => c.value !== undefined)
      .sort((a, b) => (b.r.priority ?? 0) - (a.r.priority ?? 0));
    const top = candidates[0];
    if (!top) continue;
    const rivals = candidates.filter(
      (c) => (c.r.priority ?? 0) === (top.r.priority ?? 0) && c.value !== top.value,
    );
    if (rivals.length > 0)
      out.rivals.push({
        field,
        priority: top.r.priority ?? 0,
        candidates: [top, ...rivals].map((c) => `${c.value} (${c.r.id})`),
      });
    out[field] = { name: top.value!, rule: top.r.id };
  }
  const union = (pick: (g: SalesforceGrant) => string[] | undefined) => {
    const names = new Map<string, string>();
    for (const r of granting)
      for (const name of pick(grantFor(r.grants, org)!) ?? []) if (!names.has(name)) names.set(name, r.id);
    return names;
  };
  out.permissionSets = byName(union((g) => g.permissionSets));
  out.permissionSetGroups = byName(union((g) => g.permissionSetGroups));
  return out;
}

// Shared by the users that have none; never written.
const NO_GRANTS: Granted[] = [];
const NO_FIELDS: Record<string, string | null> = {};

const byName = (names: Map<string, string>): Granted[] =>
  [...names].map(([name, rule]) => ({ name, rule })).sort((a, b) => a.name.localeCompare(b.name));

/** A person's time-bound exceptions added to what their rules grant (UC-05). */
const withExceptions = (granted: Granted[], extra: { id: string; names: string[] | undefined }[]) => {
  const names = new Map(granted.map((g) => [g.name, g.rule]));
  for (const x of extra) for (const name of x.names ?? []) if (!names.has(name)) names.set(name, x.id);
  return names.size === granted.length ? granted : byName(names);
};

export interface OrgResult {
  users: DesiredSalesforceUser[];
  conflicts: Conflict[];
  findings: Finding[];
  /** Live active users no person claims (UC-08). */
  orphans: SalesforceUser[];
}

export interface OrgInput {
  policy: Policy;
  org: string;
  snapshot: SalesforceSnapshot;
  people: readonly Person[];
  /** Each person's position in `people`, by key. */
  positionOf: ReadonlyMap<string, number>;
  /** The access rules each person meets, by position in `people`. */
  rules: readonly (readonly AccessRule[])[];
  normalize: Normalizer;
  /** People indexed by their match-key values (positions in `people`), shared by every org. */
  matchValues: MatchValues;
  decisions: (platform: PlatformId) => Decided;
  /** Today (UTC, YYYY-MM-DD): exceptions apply up to and including their expiry. */
  today: string;
}

export function desiredSalesforce(input: OrgInput): OrgResult {
  const { policy, org, snapshot, people } = input;
  const settings = userSettings(policy, org);
  const match = matchOrgUsers(input, settings);
  claimRemembered(input, settings, match);
  const ctx = orgContext(input, settings);
  const conflicts = [...match.conflicts];
  const findings: Finding[] = [];
  const users: DesiredSalesforceUser[] = [];
  /** Each person's desired user here, by position in `people`. */
  const desiredAt: (DesiredSalesforceUser | undefined)[] = new Array<DesiredSalesforceUser | undefined>(
    people.length,
  ).fill(undefined);
  for (let i = 0; i < people.length; i++) {
    const desired = desiredUser(ctx, people[i]!, match.accounts[i], input.rules[i]!, { conflicts, findings });
    if (!desired) continue;
    users.push(desired);
    desiredAt[i] = desired;
  }
  const byPerson = (key: string | null | undefined) => {
    const at = key ? input.positionOf.get(key) : undefined;
    return at === undefined ? undefined : desiredAt[at];
  };
  // Accounts in a conflict are someone's, just not decided yet: they are not orphans.
  const claimed = new Set(match.accounts);
  const inConflict = new Set(match.conflicts.flatMap((c) => c.candidates));
  const orphans = snapshot.users.filter((u) => u.isActive && !claimed.has(u) && !inConflict.has(u.username));
  if (ctx.orphans !== 'report') for (const u of orphans) users.push(reclaimedOrphan(ctx, u));
  // Record recipients need the final picture of who stays, so they are chosen in a second pass.
  chooseRecipients(input, ctx.off, users, byPerson, findings);
  pointManagers(policy, users, conflicts, byPerson);
  return { users, conflicts, findings, orphans };
}

/**
 * The users of people deleted from the directory: the user an earlier apply linked them to here,
 * else the one user whose federation id or username is what the org's templates make of their
 * login (all that is left of them). Only users no present person matched and no conflict names:
 * a person who is still here, say under a new login, keeps their user, and a user accord cannot
 * tell apart stays an orphan.
 */
function claimRemembered(
  input: OrgInput,
  settings: Required<SalesforceUserSettings>,
  match: ReturnType<typeof matchOrgUsers>,
): void {
  const { people, snapshot, normalize } = input;
  let free: Map<string, SalesforceUser[]> | undefined;
  const decided = input.decisions(snapshot.platform);
  const index = () => {
    const taken = new Set<SalesforceUser | string>(match.accounts.filter((u) => u !== undefined));
    for (const c of match.conflicts) for (const k of c.candidates) taken.add(k.toLowerCase());
    const byValue = new Map<string, SalesforceUser[]>();
    const add = (key: string | undefined, u: SalesforceUser) => {
      if (key) (byValue.get(key) ?? byValue.set(key, []).get(key)!).push(u);
    };
    for (const u of snapshot.users) {
      if (taken.has(u) || taken.has(u.username.toLowerCase())) continue;
      add(`u:${u.username.toLowerCase()}`, u);
      add(`f:${normalize(u.federationId) ?? ''}`, u);
    }
    return byValue;
  };
  for (let i = 0; i < people.length; i++) {
    const p = people[i]!;
    if (p.status !== 'deleted') continue;
    const pool = (free ??= index());
    const attributes = { login: p.key, email: p.key };
    const linked = decided(p.key);
    const keys = linked
      ? [`u:${linked.toLowerCase()}`]
      : [
          `f:${normalize(renderTemplate(settings.federationId, attributes)) ?? ''}`,
          `u:${(renderTemplate(settings.username, attributes) ?? '').toLowerCase()}`,
        ];
    const hits = [...new Set(keys.flatMap((k) => (k.length > 2 ? (pool.get(k) ?? []) : [])))];
    if (hits.length !== 1) continue;
    match.accounts[i] = hits[0];
    for (const [k, users] of pool) if (users.includes(hits[0]!)) pool.delete(k);
  }
}

/** What matching people to one org's users needs. */
export type MatchInput = Pick<
  OrgInput,
  'policy' | 'org' | 'snapshot' | 'people' | 'normalize' | 'matchValues' | 'decisions'
>;

/** People to the org's users by the policy's match keys (UC-13); UC-16 reads facts of the same users. */
export function matchOrgUsers(
  input: MatchInput,
  settings: Required<SalesforceUserSettings> = userSettings(input.policy, input.org),
) {
  const { policy, org, snapshot, people, normalize, matchValues } = input;
  const decided = input.decisions(snapshot.platform);
  const order: MatchKey[] = matchOrder(policy.identity, 'salesforce');
  return matchAccounts({
    platform: snapshot.platform,
    people: people.length,
    // People gone from the directory only claim what nobody present matches (claimRemembered).
    eligible: (i) => people[i]!.status !== 'deleted',
    accounts: snapshot.users,
    order,
    personKey: (i) => people[i]!.key,
    accountKey: (u) => u.username,
    peopleBy: (key) =>
      key === 'federationId'
        ? matchValues.byTemplate(settings.federationId)
        : key === 'login'
          ? matchValues.byTemplate(settings.username, true)
          : matchValues.by(key),
    accountValue: (u, key) =>
      key === 'federationId'
        ? normalize(u.federationId)
        : key === 'employeeNumber'
          ? normalize(u.employeeNumber)
          : key === 'email'
            ? normalize(u.email, 'email')
            : key === 'phone'
              ? normalize(u.fields.Phone, 'phone')
              : normalize(u.username),
    decided: (i) => decided(people[i]!.key),
    suggest: (person, username) => ({
      person,
      salesforce: { [org]: username },
      reason: 'resolve the ambiguous match',
    }),
  });
}

/** What every person of one org is compiled against: settings, templates, grants and exceptions. */
function orgContext(input: OrgInput, settings: Required<SalesforceUserSettings>) {
  const { policy, org, today } = input;
  const off = offboarding(policy, org);
  const grantsCache = new Map<readonly AccessRule[], OrgGrants>();
  const exceptionsOf = new Map<string, typeof policy.exceptions>();
  for (const x of policy.exceptions) {
    if ((x.org !== org && x.org !== '*') || x.expires < today) continue;
    (exceptionsOf.get(x.person) ?? exceptionsOf.set(x.person, []).get(x.person)!).push(x);
  }
  return {
    org,
    platform: input.snapshot.platform,
    settings,
    off,
    orphans: policy.lifecycle.orphans ?? 'report',
    inactivity: policy.lifecycle.inactivity,
    todayMs: Date.parse(`${today}T00:00:00Z`),
    owned: ownedTemplates(policy, org),
    // Shared by every leaver of the org: read, never written.
    offboardSettings: {
      freeze: off.freeze ?? true,
      deactivate: off.deactivate ?? true,
      revokePermissionSets: off.revokePermissionSets ?? true,
    },
    exceptionsOf,
    grantsOf: (rules: readonly AccessRule[]) => {
      let grants = grantsCache.get(rules);
      if (!grants) grantsCache.set(rules, (grants = orgGrants(rules, org)));
      return grants;
    },
  };
}
type OrgContext = ReturnType<typeof orgContext>;

/** One person's user in this org: entitled (with what), offboarded, or none (undefined). */
function desiredUser(
  ctx: OrgContext,
  p: Person,
  live: SalesforceUser | undefined,
  rules: readonly AccessRule[],
  out: { conflicts: Conflict[]; findings: Finding[] },
): DesiredSalesforceUser | undefined {
  const grants = ctx.grantsOf(rules);
  let action = salesforceAction(p, grants);
  // Entitled, but idle past the policy's limit: the licence is reclaimed (a deactivated user stays
  // idle, so this holds on every later plan and nothing is reactivated).
  const idle = action === 'present' && live ? idleDays(ctx, live) : undefined;
  if (idle !== undefined) {
    if (ctx.inactivity!.action === 'report') out.findings.push(inactiveFinding(ctx, live!, idle, p.key));
    else action = ctx.inactivity!.action === 'freeze' ? 'freeze' : 'offboard';
  }
  if (action === 'keep' || (action !== 'present' && !live)) return undefined;
  const entitled = action === 'present';
  // One object shape for every user (no spreads, no optional keys added later): at 100k
  // people × orgs, shapes built piecemeal are most of compile's allocation.
  const desired: DesiredSalesforceUser = {
    org: ctx.org,
    person: p.key,
    live,
    username:
      live?.username ?? renderTemplate(ctx.settings.username, p.facts.attributes) ?? p.homeAccount.email,
    present: entitled,
    fact: entitled
      ? `${p.home} ${p.homeAccount.rawStatus}, matched by ${grants.ruleIds}`
      : idle !== undefined
        ? idleFact(live!, idle)
        : leaverFact(p, ctx.org),
    rule: entitled
      ? grants.ruleIds
      : idle !== undefined
        ? 'lifecycle.inactivity'
        : !p.inScope
          ? 'identity.scope'
          : p.leaving
            ? `lifecycle.statuses.${p.leaving.status}`
            : 'access',
    profile: undefined,
    role: undefined,
    permissionSets: NO_GRANTS,
    permissionSetGroups: NO_GRANTS,
    ownedFields: {},
    createFields: NO_FIELDS,
    offboard: undefined,
  };
  if (entitled) entitle(ctx, desired, p, grants, out);
  else if (live && live.isActive)
    desired.offboard =
      action === 'freeze'
        ? { mode: 'freeze', settings: FREEZE_ONLY, transfers: [] }
        : { mode: 'offboard', settings: ctx.offboardSettings, transfers: [] };
  return desired;
}

/**
 * Where a flow `from` a directory reads a person's values: their home account when that is the
 * directory, or when accord provisions their account there (its values are copies of the home's);
 * otherwise their own account there. A person with no account there has nothing to say for the
 * flow's fields, which then are not written for them (rather than blanked).
 */
export function flowSource(p: Person, from: IdpId): Person['facts']['attributes'] | undefined {
  if (from === p.home || p.crossProvision) return p.facts.attributes;
  return p.accounts[from]?.attributes;
}

const FREEZE_ONLY = { freeze: true, deactivate: false, revokePermissionSets: false };

const DAY_MS = 86_400_000;

/** Whole days since the user's last login when past the inactivity limit; undefined otherwise or when never logged in. */
function idleDays(ctx: OrgContext, live: SalesforceUser): number | undefined {
  if (!ctx.inactivity) return undefined;
  const last = Date.parse(live.fields.LastLoginDate ?? '');
  if (Number.isNaN(last)) return undefined;
  const days = Math.floor((ctx.todayMs - last) / DAY_MS);
  return days > ctx.inactivity.afterDays ? days : undefined;
}

const idleFact = (live: SalesforceUser, days: number) =>
  `no login for ${days} days (last ${live.fields.LastLoginDate!.slice(0, 10)})`;

function inactiveFinding(ctx: OrgContext, live: SalesforceUser, days: number, person: string): Finding {
  return {
    code: 'inactive-user',
    severity: 'info',
    platform: ctx.platform,
    person,
    rule: 'lifecycle.inactivity',
    message: `${live.username} in ${ctx.org}: ${idleFact(live, days)}; its licence could be reclaimed`,
  };
}

/**
 * An orphan the policy reclaims: no person, so the changes carry none, and records go only to the
 * org's fixed recipients (it has no manager or successor).
 */
function reclaimedOrphan(ctx: OrgContext, live: SalesforceUser): DesiredSalesforceUser {
  return {
    org: ctx.org,
    person: '',
    live,
    username: live.username,
    present: false,
    fact: `orphan: active in ${ctx.org} (license ${live.license}) but matches no person`,
    rule: 'lifecycle.orphans',
    profile: undefined,
    role: undefined,
    permissionSets: NO_GRANTS,
    permissionSetGroups: NO_GRANTS,
    ownedFields: {},
    createFields: NO_FIELDS,
    offboard:
      ctx.orphans === 'freeze'
        ? { mode: 'freeze', settings: FREEZE_ONLY, transfers: [] }
        : { mode: 'offboard', settings: ctx.offboardSettings, transfers: [] },
  };
}

/**
 * What becomes of a person's user here: kept as the rules give it (`present`), offboarded,
 * frozen, or left alone. Scope and rules decide for active people; the status lifecycle decides
 * for people whose status takes access away; people not active yet keep what they have.
 */
function salesforceAction(p: Person, grants: OrgGrants): 'present' | 'offboard' | 'freeze' | 'keep' {
  if (!p.inScope) return 'offboard';
  if (p.active) return grants.rules.length > 0 ? 'present' : 'offboard';
  if (p.leaving) return p.leaving.salesforce;
  return grants.rules.length > 0 ? 'keep' : 'offboard';
}

function leaverFact(p: Person, org: string): string {
  if (!p.inScope) return 'out of scope';
  if (p.status === 'deleted') return `deleted from ${p.home}`;
  if (p.leaving)
    return `${p.leaving.status === 'deprovisioned' ? 'left' : p.leaving.status}: ${p.home} ${p.homeAccount.rawStatus}`;
  if (!p.active) return `not active in ${p.home} (${p.homeAccount.rawStatus})`;
  return `no access rule grants ${org}`;
}

/** What an entitled person's user has: profile, role, assignments with exceptions, owned fields. */
function entitle(
  ctx: OrgContext,
  desired: DesiredSalesforceUser,
  p: Person,
  grants: OrgGrants,
  out: { conflicts: Conflict[]; findings: Finding[] },
): void {
  const { org, platform } = ctx;
  for (const rival of grants.rivals)
    out.conflicts.push({
      person: p.key,
      platform,
      kind: 'priority',
      key: rival.field,
      candidates: rival.candidates,
      message: `rules of equal priority ${rival.priority} give ${p.key} different ${rival.field}s in ${org}`,
    });
  if (grants.profile) desired.profile = grants.profile;
  if (grants.role) desired.role = grants.role;
  const exceptions = ctx.exceptionsOf.get(p.key);
  desired.permissionSets = exceptions
    ? withExceptions(
        grants.permissionSets,
        exceptions.map((x) => ({ id: x.id, names: x.permissionSets })),
      )
    : grants.permissionSets;
  desired.permissionSetGroups = exceptions
    ? withExceptions(
        grants.permissionSetGroups,
        exceptions.map((x) => ({ id: x.id, names: x.permissionSetGroups })),
      )
    : grants.permissionSetGroups;
  if (!desired.profile && !desired.live) {
    const fallback = Object.values(ctx.off.fallbackProfiles ?? {})[0];
    if (fallback) desired.profile = { name: fallback, rule: 'lifecycle.fallbackProfiles' };
    else
      out.findings.push({
        code: 'no-profile',
        severity: 'warn',
        platform,
        person: p.key,
        message: `${p.key} would be created in ${org} but no rule names a profile and no fallback profile is declared`,
      });
  }
  for (const [field, template, from] of ctx.owned) {
    const attributes = flowSource(p, from);
    if (attributes) desired.ownedFields[field] = renderTemplate(template, attributes);
  }
  if (!desired.live) desired.createFields = createFields(ctx.settings, desired, p);
}

/** The fields a new user is created with (owned fields are added by the plan). */
function createFields(settings: Required<SalesforceUserSettings>, desired: DesiredSalesforceUser, p: Person) {
  const first = p.facts.attributes.firstName ?? '';
  const last = p.facts.attributes.lastName ?? p.key;
  return {
    Username: desired.username,
    Email: p.homeAccount.email,
    FirstName: first || null,
    LastName: last,
    Alias: (renderTemplate(settings.alias, p.facts.attributes) ?? last).slice(0, 8),
    FederationIdentifier: renderTemplate(settings.federationId, p.facts.attributes),
    ...settings.defaults,
  };
}

type ByPerson = (key: string | null | undefined) => DesiredSalesforceUser | undefined;

/**
 * Who each leaver's open records go to, by the first transfer target that exists in this org
 * (UC-07). Records with nowhere to go hold the user's deactivation back with a blocking finding:
 * the login is still frozen and the assignments revoked, so the person loses access meanwhile.
 */
function chooseRecipients(
  input: OrgInput,
  off: SalesforceOffboarding,
  users: readonly DesiredSalesforceUser[],
  byPerson: ByPerson,
  findings: Finding[],
): void {
  if (!off.transfer) return;
  const { policy, snapshot, people, positionOf, org } = input;
  const liveByUsername = new Map(snapshot.users.map((x) => [x.username.toLowerCase(), x]));
  const queues = new Set((snapshot.queues ?? []).map((q) => q.name));
  const userExists = (u: string) => liveByUsername.get(u.toLowerCase())?.isActive === true;
  for (const f of missingFallbacks(off.transfer.to, org, snapshot.platform, userExists, (q) => queues.has(q)))
    findings.push(f);
  const activeUser = (person: string | null | undefined) => {
    const d = byPerson(person);
    return d?.present ? d.username : undefined;
  };
  for (const d of users) {
    if (d.offboard?.mode !== 'offboard') continue;
    const manager = people[positionOf.get(d.person)!]?.facts.attributes.manager;
    const nowhere: TransferableObject[] = [];
    for (const object of off.transfer.objects) {
      const to = pickRecipient(off.transfer.to, object, {
        manager: activeUser(manager),
        successor: activeUser(policy.lifecycle.successors?.[d.person]),
        userExists,
        queueExists: (q) => queues.has(q),
      });
      if (to) d.offboard.transfers.push({ object, ...to });
      else nowhere.push(object);
    }
    if (nowhere.length === 0 || !d.offboard.settings.deactivate) continue;
    d.offboard.held = `no recipient for open ${nowhere.join(', ')} records`;
    findings.push({
      code: 'no-recipient',
      severity: 'block',
      platform: snapshot.platform,
      // A reclaimed orphan is nobody's: the username in the message is all there is.
      ...(d.person ? { person: d.person } : {}),
      rule: 'lifecycle.transfer',
      message: `${d.username} in ${org} is frozen and stripped but not deactivated: no recipient exists for open ${nowhere.join(', ')} records (no active manager, successor or fallback); declare a successor or a fallback user or queue that exists in ${org}`,
    });
  }
}

/** Fallback users and queues the policy names that this org lacks: each is a recipient that never is. */
function missingFallbacks(
  targets: readonly TransferTarget[],
  org: string,
  platform: PlatformId,
  userExists: (u: string) => boolean,
  queueExists: (q: string) => boolean,
): Finding[] {
  return targets.flatMap((t): Finding[] => {
    if (typeof t !== 'object') return [];
    const missing = 'user' in t ? !userExists(t.user) : !queueExists(t.queue);
    if (!missing) return [];
    const what =
      'user' in t
        ? `fallback user ${t.user} is not an active user`
        : `fallback queue "${t.queue}" does not exist`;
    return [
      {
        code: 'missing-recipient',
        severity: 'warn',
        platform,
        rule: 'lifecycle.transfer',
        message: `${what} in ${org}; records cannot go to it there`,
      },
    ];
  });
}

/**
 * Owned ManagerId values hold the manager's login; point them at the manager's Username in this
 * org. A manager who has no user yet and whose creation this plan cannot make (held back by a
 * conflict, or protected) is not referenced: that would name a user nothing creates.
 */
function pointManagers(
  policy: Policy,
  users: readonly DesiredSalesforceUser[],
  conflicts: readonly Conflict[],
  byPerson: ByPerson,
): void {
  const conflicted = new Set(conflicts.map((c) => c.person));
  const protectedPatterns = policy.guardrails.protectedAccounts ?? [];
  const referable = (d: DesiredSalesforceUser | undefined) =>
    !!d?.present &&
    (!!d.live ||
      (!conflicted.has(d.person) &&
        ![d.username, d.person].some((k) => matchesAnyGlob(k, protectedPatterns))));
  for (const d of users) {
    if (!('ManagerId' in d.ownedFields)) continue;
    const manager = byPerson(d.ownedFields.ManagerId);
    d.ownedFields.ManagerId = referable(manager) ? manager!.username : null;
  }
}

function pickRecipient(
  targets: readonly TransferTarget[],
  object: TransferableObject,
  known: {
    manager?: string;
    successor?: string;
    userExists: (u: string) => boolean;
    queueExists: (q: string) => boolean;
  },
): { to: Transfer['to']; via: string } | undefined {
  for (const t of targets) {
    if (t === 'manager' && known.manager) return { to: { user: known.manager }, via: 'manager' };
    if (t === 'successor' && known.successor) return { to: { user: known.successor }, via: 'successor' };
    if (typeof t === 'object' && 'user' in t && known.userExists(t.user))
      return { to: { user: t.user }, via: 'fallback user' };
    // Only Leads and Cases can be owned by queues.
    if (
      typeof t === 'object' &&
      'queue' in t &&
      (object === 'Lead' || object === 'Case') &&
      known.queueExists(t.queue)
    )
      return { to: { queue: t.queue }, via: 'queue' };
  }
  return undefined;
}
