import type { IdpAccount, IdpId, PlatformId, Snapshots } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import {
  idpMember,
  idpUser,
  salesforcePermissionSet,
  salesforcePermissionSetGroup,
  salesforceUser,
} from '../plan/addresses.js';

/**
 * The access review (UC-21): who has what on every platform right now, and which part of the
 * policy grants it. Pure: rows are built from the snapshots and the compiled desired state
 * (compile already says which rule, exception, managed group or mirror each desired value comes
 * from; this only looks those up, it never evaluates a rule itself), the policy's links, and
 * the audit log's times. No network, no clock (`generatedAt` is an input).
 *
 * The compiled desired state is described here by the few fields the report reads, not imported
 * from compile/ (render/ may not import it, .dependency-cruiser.cjs): compile's `DesiredState`
 * fits these shapes, which the engine's call checks.
 */

export const ACCESS_REPORT_FORMAT_VERSION = 1;

/** What kind of access a row is. */
export type AccessKind =
  'account' | 'group' | 'role-membership' | 'profile' | 'role' | 'permissionSet' | 'permissionSetGroup';

/**
 * Where a grant comes from. `rule`: an access rule's id; `exception`: a time-bound exception's
 * id; `group`: a group declared in `groups` (its name); `mirror`: a mirror's id; `link`: a
 * `links` entry of the policy that ties the account to the person (the links an apply records in
 * state only remember a match, they grant nothing, so they are not named);
 * `identity`: the person's home directory or a cross-provisioned population; `lifecycle`: a
 * lifecycle setting (fallback profile); `directory`: set in the directory itself, which the policy
 * reads but does not manage (the groups its rules look at), so not the policy's to grant.
 */
export type AttributionKind =
  'rule' | 'exception' | 'group' | 'mirror' | 'link' | 'identity' | 'lifecycle' | 'directory';

export interface Attribution {
  kind: AttributionKind;
  id: string;
}

export interface AccessRow {
  /** The person's key (login in their home directory); null for an account no person claims. */
  person: string | null;
  platform: PlatformId;
  /** Login (Okta), username (OneLogin, Salesforce). */
  account: string;
  /** The account's status there: Okta/OneLogin normalised status, Salesforce active/frozen/inactive. */
  status: string;
  kind: AccessKind;
  /** The group, role, profile, permission set (API name) or permission set group; the account key for `account`. */
  name: string;
  /** Empty: nothing in the policy grants it. */
  grantedBy: Attribution[];
  /** A live grant on an account that can sign in which nothing in the policy grants. */
  flagged: boolean;
  /** Why flagged, or what else the policy says (what it wants instead, what removes it). */
  note?: string;
  /** ISO time it has been held since, or `unknown`. */
  since: string;
  sinceSource: 'audit' | 'unknown';
}

export interface PersonView {
  person: string | null;
  accounts: string[];
  rows: number;
  flagged: number;
}

export interface EntitlementView {
  platform: PlatformId;
  kind: AccessKind;
  name: string;
  holders: number;
  flagged: number;
}

export interface AccessTotals {
  rows: number;
  flagged: number;
  /** Distinct people with at least one row (accounts no person claims not counted). */
  people: number;
  /** Rows of accounts no person claims. */
  unclaimedRows: number;
  /** Distinct platform + kind + name, accounts excluded. */
  entitlements: number;
  byPlatform: Record<string, number>;
  /** Rows by the kind of their first attribution, `none` when nothing grants them. */
  bySource: Record<string, number>;
  /** Rows whose `since` is known. */
  sinceKnown: number;
}

export interface AccessReport {
  formatVersion: typeof ACCESS_REPORT_FORMAT_VERSION;
  generatedAt: string;
  environment: string;
  policyDigest: string;
  /** How the rows are ordered (and how CSV and HTML group them). */
  view: 'person' | 'entitlement';
  totals: AccessTotals;
  rows: AccessRow[];
  people: PersonView[];
  entitlements: EntitlementView[];
}

interface Granted {
  readonly name: string;
  readonly rule: string;
}

/** The parts of compile's DesiredState the report reads (see the module comment). */
export interface DesiredAccess {
  readonly people: readonly {
    readonly key: string;
    readonly home: IdpId;
    readonly population?: string | undefined;
    readonly accounts: Partial<Record<IdpId, IdpAccount>>;
  }[];
  readonly salesforce: readonly {
    readonly org: string;
    readonly person: string;
    readonly live?: { readonly id: string } | undefined;
    readonly present: boolean;
    readonly rule: string;
    readonly profile?: Granted | undefined;
    readonly role?: Granted | undefined;
    readonly permissionSets: readonly Granted[];
    readonly permissionSetGroups: readonly Granted[];
  }[];
  readonly groups: readonly {
    readonly platform: IdpId;
    readonly name: string;
    readonly mode: 'authoritative' | 'additive';
    readonly owner: string;
    readonly members: readonly { readonly key: string; readonly rule: string }[];
  }[];
  readonly idpAccounts: readonly {
    readonly platform: IdpId;
    readonly person: string;
    readonly present: boolean;
    readonly population?: string | undefined;
    readonly rule?: string | undefined;
  }[];
}

/** One audit line, as far as the report reads it. */
export interface AuditMark {
  time: string;
  address: string;
  action: string;
  result: string;
}

export interface AccessReportInput {
  policy: Pick<Policy, 'access' | 'exceptions' | 'links' | 'mirrors' | 'settings' | 'digest'>;
  snapshots: Snapshots;
  desired: DesiredAccess;
  audit: readonly AuditMark[];
  generatedAt: string;
  view?: 'person' | 'entitlement';
}

const GAINS = new Set(['grant', 'create', 'activate']);
const LOSES = new Set(['revoke', 'deactivate', 'suspend', 'freeze']);

/** Latest applied audit entry per address (lower-cased): when it was gained, or undefined when lost since. */
function sinceIndex(audit: readonly AuditMark[]) {
  const latest = new Map<string, AuditMark>();
  for (const e of audit) {
    if (e.result !== 'applied' || !(GAINS.has(e.action) || LOSES.has(e.action) || e.action === 'update'))
      continue;
    const key = e.address.toLowerCase();
    const had = latest.get(key);
    if (!had || had.time <= e.time) latest.set(key, e);
  }
  return {
    /** When the value at `address` was last granted, if it was not taken since. */
    granted(address: string): string | undefined {
      const e = latest.get(address.toLowerCase());
      return e && GAINS.has(e.action) ? e.time : undefined;
    },
    /** When the user at `address` was created by accord, if nothing updated it since (profile, role). */
    createdUnchanged(address: string): string | undefined {
      const e = latest.get(address.toLowerCase());
      return e && e.action === 'create' ? e.time : undefined;
    },
  };
}

export function buildAccessReport(input: AccessReportInput): AccessReport {
  const { policy } = input;
  const since = sinceIndex(input.audit);
  const exceptionIds = new Set(policy.exceptions.map((x) => x.id));
  const ruleIds = new Set(policy.access.map((r) => r.id));
  const mirrorIds = new Set(policy.mirrors.map((m) => m.id));
  const policyLinks = new Map(policy.links.map((l) => [l.person, l]));

  /** What an id compile put on a desired value is, in the policy. */
  const attribution = (id: string): Attribution => {
    if (exceptionIds.has(id)) return { kind: 'exception', id };
    if (ruleIds.has(id)) return { kind: 'rule', id };
    if (mirrorIds.has(id)) return { kind: 'mirror', id };
    if (id.startsWith('groups:')) return { kind: 'group', id: id.slice('groups:'.length) };
    if (id.startsWith('lifecycle')) return { kind: 'lifecycle', id };
    return { kind: 'identity', id };
  };
  const linkOf = (person: string | null, platform: PlatformId, key: string): Attribution[] => {
    if (!person) return [];
    const link = policyLinks.get(person);
    const org = platform.startsWith('salesforce:') ? platform.slice('salesforce:'.length) : undefined;
    const named =
      org !== undefined ? link?.salesforce?.[org] : platform === 'okta' ? link?.okta : link?.onelogin;
    if (typeof named === 'string' && named.toLowerCase() === key.toLowerCase())
      return [{ kind: 'link', id: `policy links[${person}]` }];
    return [];
  };

  const rows: AccessRow[] = [];
  const add = (
    row: Omit<AccessRow, 'flagged' | 'since' | 'sinceSource'> & { active: boolean; at?: string | undefined },
  ) => {
    const { active, at, ...rest } = row;
    rows.push({
      ...rest,
      flagged: active && row.grantedBy.length === 0,
      since: at ?? 'unknown',
      sinceSource: at ? 'audit' : 'unknown',
    });
  };

  idpRows(input, add, attribution, linkOf, since);
  salesforceRows(input, add, attribution, linkOf, since);

  const view = input.view ?? 'person';
  rows.sort(view === 'person' ? byPerson : byEntitlement);
  return {
    formatVersion: ACCESS_REPORT_FORMAT_VERSION,
    generatedAt: input.generatedAt,
    environment: policy.settings.environment,
    policyDigest: policy.digest,
    view,
    totals: totalsOf(rows),
    rows,
    people: peopleView(rows),
    entitlements: entitlementView(rows),
  };
}

type Add = (
  row: Omit<AccessRow, 'flagged' | 'since' | 'sinceSource'> & { active: boolean; at?: string | undefined },
) => void;
type AttributionOf = (id: string) => Attribution;
type LinkOf = (person: string | null, platform: PlatformId, key: string) => Attribution[];
type Since = ReturnType<typeof sinceIndex>;

const canSignIn = (a: IdpAccount) => a.status === 'active' || a.status === 'provisioned';

function idpRows(
  input: AccessReportInput,
  add: Add,
  attribution: AttributionOf,
  linkOf: LinkOf,
  since: Since,
) {
  const { snapshots, desired } = input;
  for (const platform of ['okta', 'onelogin'] as const) {
    const snapshot = snapshots[platform];
    if (!snapshot) continue;
    const personOf = new Map<string, (typeof desired.people)[number]>();
    for (const p of desired.people) {
      const a = p.accounts[platform];
      if (a) personOf.set(a.id, p);
    }
    const provisioned = new Map(
      desired.idpAccounts.filter((a) => a.platform === platform).map((a) => [a.person, a]),
    );
    const byId = new Map(snapshot.accounts.map((a) => [a.id, a]));
    for (const a of snapshot.accounts) {
      const p = personOf.get(a.id);
      const grantedBy: Attribution[] = [];
      let note: string | undefined;
      const cross = p ? provisioned.get(p.key) : undefined;
      if (p && p.home === platform)
        grantedBy.push({
          kind: 'identity',
          id: p.population ? `identity.populations[${p.population}] (home)` : 'identity.source (home)',
        });
      else if (cross?.present)
        grantedBy.push({
          kind: 'identity',
          id: `identity.populations[${cross.population ?? '?'}].crossProvision`,
        });
      else if (cross) note = `the policy offboards it (${cross.rule ?? 'lifecycle'})`;
      else grantedBy.push({ kind: 'directory', id: platform });
      for (const l of linkOf(p?.key ?? null, platform, a.login)) grantedBy.push(l);
      add({
        person: p?.key ?? null,
        platform,
        account: a.login,
        status: a.status,
        kind: 'account',
        name: a.login,
        grantedBy,
        ...(note ? { note } : {}),
        active: canSignIn(a),
        at: since.granted(idpUser(platform, a.login)),
      });
    }
    const declared = new Map(desired.groups.filter((g) => g.platform === platform).map((g) => [g.name, g]));
    const kind = platform === 'okta' ? 'group' : 'role-membership';
    for (const g of snapshot.groups) {
      const managed = declared.get(g.name);
      const members = new Map((managed?.members ?? []).map((m) => [m.key.toLowerCase(), m]));
      for (const id of g.memberIds) {
        const a = byId.get(id);
        if (!a) continue;
        const p = personOf.get(id);
        const member = members.get(a.login.toLowerCase());
        const grantedBy: Attribution[] = [];
        let note: string | undefined;
        if (member)
          grantedBy.push(
            managed!.owner === 'groups' ? attribution(member.rule) : { kind: 'mirror', id: managed!.owner },
          );
        else if (!managed) grantedBy.push({ kind: 'directory', id: platform });
        else if (managed.mode === 'additive') {
          grantedBy.push({ kind: 'directory', id: platform });
          note = `additive ${managed.owner === 'groups' ? 'group' : `mirror ${managed.owner}`}: members added outside the policy are kept`;
        } else
          note = `not a member the policy declares (authoritative ${managed.owner === 'groups' ? 'group' : `mirror ${managed.owner}`}): the next apply removes it`;
        add({
          person: p?.key ?? null,
          platform,
          account: a.login,
          status: a.status,
          kind,
          name: g.name,
          grantedBy,
          ...(note ? { note } : {}),
          active: canSignIn(a),
          at: since.granted(idpMember(platform, g.name, a.login)),
        });
      }
    }
  }
}

function salesforceRows(
  input: AccessReportInput,
  add: Add,
  attribution: AttributionOf,
  linkOf: LinkOf,
  since: Since,
) {
  const { snapshots, desired } = input;
  for (const org of Object.keys(snapshots.salesforce).sort()) {
    const snapshot = snapshots.salesforce[org]!;
    const platform = snapshot.platform;
    const desiredOf = new Map(
      desired.salesforce.filter((d) => d.org === org && d.live).map((d) => [d.live!.id, d]),
    );
    const assignments = new Map<string, typeof snapshot.assignments>();
    for (const x of snapshot.assignments)
      (assignments.get(x.userId) ?? assignments.set(x.userId, []).get(x.userId)!).push(x);
    for (const u of snapshot.users) {
      const d = desiredOf.get(u.id);
      const person = d?.person ? d.person : null;
      const status = !u.isActive ? 'inactive' : u.frozen ? 'frozen' : 'active';
      const active = u.isActive && !u.frozen;
      const base = { person, platform, account: u.username, status, active };
      const entitled = d?.present === true;
      const userAddress = salesforceUser(org, u.username);
      // The user itself: the rules that entitle the person (compile's ids), and the link that ties it to them.
      const grantedBy: Attribution[] = entitled
        ? d.rule
            .split(', ')
            .filter((id) => id !== '')
            .map(attribution)
        : [];
      if (entitled) for (const l of linkOf(person, platform, u.username)) grantedBy.push(l);
      // Every row of a user the policy does not entitle says why, once the same way.
      const notEntitled = entitled
        ? undefined
        : d?.person
          ? `the policy does not entitle this person here (${d.rule})`
          : 'no person claims this user (orphan)';
      add({
        ...base,
        kind: 'account',
        name: u.username,
        grantedBy,
        ...(notEntitled ? { note: notEntitled } : {}),
        at: since.granted(userAddress),
      });
      const single = (kind: 'profile' | 'role', value: string | null, wanted: Granted | undefined) => {
        if (!value) return;
        const match = entitled && wanted?.name === value;
        add({
          ...base,
          kind,
          name: value,
          grantedBy: match ? [attribution(wanted.rule)] : [],
          ...(match
            ? {}
            : {
                note:
                  notEntitled ??
                  (wanted ? `the policy wants ${wanted.name} (${wanted.rule})` : `no rule sets the ${kind}`),
              }),
          at: match ? since.createdUnchanged(userAddress) : undefined,
        });
      };
      single('profile', u.profile, d?.profile);
      single('role', u.role, d?.role);
      const sets = new Map((entitled ? d.permissionSets : []).map((g) => [g.name, g.rule]));
      const groups = new Map((entitled ? d.permissionSetGroups : []).map((g) => [g.name, g.rule]));
      for (const x of assignments.get(u.id) ?? []) {
        const kind = x.permissionSet !== undefined ? 'permissionSet' : 'permissionSetGroup';
        const name = x.permissionSet ?? x.permissionSetGroup;
        if (name === undefined) continue;
        const rule = (kind === 'permissionSet' ? sets : groups).get(name);
        add({
          ...base,
          kind,
          name,
          grantedBy: rule !== undefined ? [attribution(rule)] : [],
          ...(rule === undefined ? { note: notEntitled ?? 'assigned outside the policy' } : {}),
          at: since.granted(
            (kind === 'permissionSet' ? salesforcePermissionSet : salesforcePermissionSetGroup)(
              org,
              u.username,
              name,
            ),
          ),
        });
      }
    }
  }
}

const KIND_ORDER: Record<AccessKind, number> = {
  account: 0,
  group: 1,
  'role-membership': 2,
  profile: 3,
  role: 4,
  permissionSet: 5,
  permissionSetGroup: 6,
};

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
// Accounts no person claims sort after the people, by account.
const personKey = (r: AccessRow) => (r.person === null ? `\uffff${r.account}` : r.person);

function byPerson(a: AccessRow, b: AccessRow): number {
  return (
    cmp(personKey(a), personKey(b)) ||
    cmp(a.platform, b.platform) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    cmp(a.name, b.name) ||
    cmp(a.account, b.account)
  );
}

function byEntitlement(a: AccessRow, b: AccessRow): number {
  return (
    cmp(a.platform, b.platform) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    cmp(a.name, b.name) ||
    cmp(personKey(a), personKey(b)) ||
    cmp(a.account, b.account)
  );
}

function totalsOf(rows: readonly AccessRow[]): AccessTotals {
  const byPlatform: Record<string, number> = {};
  const bySource: Record<string, number> = {};
  const people = new Set<string>();
  const entitlements = new Set<string>();
  let flagged = 0;
  let unclaimedRows = 0;
  let sinceKnown = 0;
  for (const r of rows) {
    byPlatform[r.platform] = (byPlatform[r.platform] ?? 0) + 1;
    const source = r.grantedBy[0]?.kind ?? 'none';
    bySource[source] = (bySource[source] ?? 0) + 1;
    if (r.person !== null) people.add(r.person);
    else unclaimedRows++;
    if (r.kind !== 'account') entitlements.add(`${r.platform}\n${r.kind}\n${r.name}`);
    if (r.flagged) flagged++;
    if (r.since !== 'unknown') sinceKnown++;
  }
  return {
    rows: rows.length,
    flagged,
    people: people.size,
    unclaimedRows,
    entitlements: entitlements.size,
    byPlatform,
    bySource,
    sinceKnown,
  };
}

function peopleView(rows: readonly AccessRow[]): PersonView[] {
  const out = new Map<string, PersonView>();
  for (const r of rows) {
    const key = personKey(r);
    let v = out.get(key);
    if (!v) out.set(key, (v = { person: r.person, accounts: [], rows: 0, flagged: 0 }));
    const account = `${r.platform}:${r.account}`;
    if (!v.accounts.includes(account)) v.accounts.push(account);
    v.rows++;
    if (r.flagged) v.flagged++;
  }
  return [...out.entries()].sort(([a], [b]) => cmp(a, b)).map(([, v]) => v);
}

function entitlementView(rows: readonly AccessRow[]): EntitlementView[] {
  const out = new Map<string, EntitlementView>();
  for (const r of rows) {
    if (r.kind === 'account') continue;
    const key = `${r.platform}\n${r.kind}\n${r.name}`;
    let v = out.get(key);
    if (!v) out.set(key, (v = { platform: r.platform, kind: r.kind, name: r.name, holders: 0, flagged: 0 }));
    v.holders++;
    if (r.flagged) v.flagged++;
  }
  return [...out.values()].sort(
    (a, b) => cmp(a.platform, b.platform) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || cmp(a.name, b.name),
  );
}

/** `rule:sales-reps; link:policy links[kim@…]`, or `none`: how CSV and HTML spell an attribution list. */
export const attributionText = (grantedBy: readonly Attribution[]): string =>
  grantedBy.length === 0 ? 'none' : grantedBy.map((a) => `${a.kind}:${a.id}`).join('; ');

/** The JSON output: the report itself, two-space indented. */
export const renderAccessJson = (report: AccessReport): string => `${JSON.stringify(report, null, 2)}\n`;
