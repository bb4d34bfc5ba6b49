import type { SalesforceSnapshot, SalesforceUser } from '../model/snapshot.js';
import type { State } from '../model/state.js';
import type { Policy } from '../policy/policy.js';
import type {
  MatchKey,
  SalesforceGrant,
  SalesforceOffboarding,
  SalesforceUserSettings,
  TransferableObject,
  TransferTarget,
} from '../policy/types.js';
import { matches, matchesAnyGlob } from './conditions.js';
import type { Normalizer } from './normalize.js';
import type { Person } from './people.js';
import { matchAccounts } from './resolve-identities.js';
import { renderTemplate } from './templates.js';
import type { Conflict, Finding } from './types.js';

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
  profile?: Granted;
  role?: Granted;
  permissionSets: Granted[];
  permissionSetGroups: Granted[];
  /** Fields owned by attribute flows (compared and written), by API name. `ManagerId` holds the manager's Username. */
  ownedFields: Record<string, string | null>;
  /** Fields only written on create (Username, Alias, locale defaults, ...). */
  createFields: Record<string, string | null>;
  offboard?: {
    settings: Required<Omit<SalesforceOffboarding, 'transfer' | 'fallbackProfiles'>>;
    transfers: Transfer[];
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

/** Owned fields for this org: every flow into `salesforce` or `salesforce.<org>`. */
const flowsFor = (policy: Policy, org: string) =>
  (policy.identity.attributes ?? []).filter((f) => f.to === 'salesforce' || f.to === `salesforce.${org}`);

const rulesCache = new WeakMap<Person, Policy['access']>();

export interface OrgResult {
  users: DesiredSalesforceUser[];
  conflicts: Conflict[];
  findings: Finding[];
  /** Live active users no person claims (UC-08). */
  orphans: SalesforceUser[];
}

export function desiredSalesforce(
  policy: Policy,
  org: string,
  snapshot: SalesforceSnapshot,
  people: readonly Person[],
  state: State,
  normalize: Normalizer,
  today: string,
): OrgResult {
  const platform = snapshot.platform;
  const settings = userSettings(policy, org);
  const order: MatchKey[] = policy.identity.match ?? ['federationId', 'employeeNumber', 'email'];
  const links = new Map(policy.links.map((l) => [l.person, l]));
  const expectedCache = new Map<Person, { username: string; federationId: string | null }>();
  const expected = (p: Person) => {
    let e = expectedCache.get(p);
    if (!e) {
      e = {
        username: renderTemplate(settings.username, p.facts.attributes) ?? p.homeAccount.email,
        federationId: renderTemplate(settings.federationId, p.facts.attributes),
      };
      expectedCache.set(p, e);
    }
    return e;
  };

  const match = matchAccounts({
    platform,
    people,
    accounts: snapshot.users,
    order,
    personKey: (p) => p.key,
    accountKey: (u) => u.username,
    personValues: (p) => {
      const e = expected(p);
      return {
        federationId: normalize(e.federationId),
        employeeNumber: normalize(p.facts.attributes.employeeNumber),
        email: normalize(p.homeAccount.email, 'email'),
        login: normalize(e.username),
      };
    },
    accountValues: (u) => ({
      federationId: normalize(u.federationId),
      employeeNumber: normalize(u.employeeNumber),
      email: normalize(u.email, 'email'),
      login: normalize(u.username),
    }),
    decided: (p) => {
      const decided = links.get(p.key)?.salesforce?.[org];
      return decided !== undefined ? decided : state.links[p.key]?.[platform];
    },
    suggest: (person, username) => ({
      person,
      salesforce: { [org]: username },
      reason: 'resolve the ambiguous match',
    }),
  });

  const conflicts = [...match.conflicts];
  const findings: Finding[] = [];
  const flows = flowsFor(policy, org);
  const off = offboarding(policy, org);
  const users: DesiredSalesforceUser[] = [];
  const byPerson = new Map<string, DesiredSalesforceUser>();

  // Conditions are evaluated once per person, whatever the number of orgs.
  const matchedRules = (p: Person) => {
    let rules = rulesCache.get(p);
    if (!rules) rulesCache.set(p, (rules = policy.access.filter((r) => matches(r.when, p.facts))));
    return rules;
  };
  const exceptionsOf = new Map<string, typeof policy.exceptions>();
  for (const x of policy.exceptions)
    (exceptionsOf.get(x.person) ?? exceptionsOf.set(x.person, []).get(x.person)!).push(x);

  for (const p of people) {
    const live = match.matched.get(p.key);
    const rules = (matchedRules(p) ?? []).filter((r) => grantFor(r.grants, org) !== undefined);
    const exceptions = (exceptionsOf.get(p.key) ?? []).filter(
      (x) => (x.org === org || x.org === '*') && x.expires >= today,
    );
    const entitled = p.inScope && p.active && rules.length > 0;
    if (!entitled && !live) continue;
    // Not active but not gone either (staged, locked out): leave their Salesforce user as it is.
    if (!entitled && p.inScope && !p.left && !p.active && rules.length > 0) continue;
    const e = expected(p);
    const desired: DesiredSalesforceUser = {
      org,
      person: p.key,
      ...(live ? { live } : {}),
      username: live?.username ?? e.username,
      present: entitled,
      fact: entitled
        ? `${p.home} ${p.homeAccount.rawStatus}, matched by ${rules.map((r) => r.id).join(', ')}`
        : !p.inScope
          ? 'out of scope'
          : p.left
            ? `left: ${p.home} ${p.homeAccount.rawStatus}`
            : !p.active
              ? `not active in ${p.home} (${p.homeAccount.rawStatus})`
              : `no access rule grants ${org}`,
      permissionSets: [],
      permissionSetGroups: [],
      ownedFields: {},
      createFields: {},
    };
    if (entitled) {
      // Single-valued fields: the highest priority wins; a tie with different values is a conflict.
      for (const field of ['profile', 'role'] as const) {
        const candidates = rules
          .map((r) => ({ r, value: grantFor(r.grants, org)![field] }))
          .filter((c) => c.value !== undefined)
          .sort((a, b) => (b.r.priority ?? 0) - (a.r.priority ?? 0));
        const top = candidates[0];
        if (!top) continue;
        const rivals = candidates.filter(
          (c) => (c.r.priority ?? 0) === (top.r.priority ?? 0) && c.value !== top.value,
        );
        if (rivals.length > 0) {
          conflicts.push({
            person: p.key,
            platform,
            kind: 'priority',
            key: field,
            candidates: [top, ...rivals].map((c) => `${c.value} (${c.r.id})`),
            message: `rules of equal priority ${top.r.priority ?? 0} give ${p.key} different ${field}s in ${org}`,
          });
        }
        desired[field] = { name: top.value!, rule: top.r.id };
      }
      const union = (pick: (g: SalesforceGrant) => string[] | undefined) => {
        const out = new Map<string, string>();
        for (const r of rules)
          for (const name of pick(grantFor(r.grants, org)!) ?? []) if (!out.has(name)) out.set(name, r.id);
        return out;
      };
      const ps = union((g) => g.permissionSets);
      const psg = union((g) => g.permissionSetGroups);
      for (const x of exceptions) {
        for (const name of x.permissionSets ?? []) if (!ps.has(name)) ps.set(name, x.id);
        for (const name of x.permissionSetGroups ?? []) if (!psg.has(name)) psg.set(name, x.id);
      }
      desired.permissionSets = [...ps]
        .map(([name, rule]) => ({ name, rule }))
        .sort((a, b) => a.name.localeCompare(b.name));
      desired.permissionSetGroups = [...psg]
        .map(([name, rule]) => ({ name, rule }))
        .sort((a, b) => a.name.localeCompare(b.name));
      if (!desired.profile && !live) {
        const fallback = Object.values(off.fallbackProfiles ?? {})[0];
        if (fallback) desired.profile = { name: fallback, rule: 'lifecycle.fallbackProfiles' };
        else
          findings.push({
            code: 'no-profile',
            severity: 'warn',
            platform,
            person: p.key,
            message: `${p.key} would be created in ${org} but no rule names a profile and no fallback profile is declared`,
          });
      }
      for (const flow of flows) {
        for (const [field, template] of Object.entries(flow.fields)) {
          desired.ownedFields[field] = renderTemplate(template, p.facts.attributes);
        }
      }
      const first = p.facts.attributes.firstName ?? '';
      const last = p.facts.attributes.lastName ?? p.key;
      desired.createFields = {
        Username: desired.username,
        Email: p.homeAccount.email,
        FirstName: first || null,
        LastName: last,
        Alias: (renderTemplate(settings.alias, p.facts.attributes) ?? last).slice(0, 8),
        FederationIdentifier: e.federationId,
        ...settings.defaults,
      };
    } else if (live && live.isActive) {
      desired.offboard = {
        settings: {
          freeze: off.freeze ?? true,
          deactivate: off.deactivate ?? true,
          revokePermissionSets: off.revokePermissionSets ?? true,
        },
        transfers: [],
      };
    }
    users.push(desired);
    byPerson.set(p.key, desired);
  }

  // Record recipients need the final picture of who stays, so they are chosen in a second pass.
  const peopleByKey = new Map(people.map((p) => [p.key, p]));
  const liveByUsername = new Map(snapshot.users.map((u) => [u.username.toLowerCase(), u]));
  const queues = new Set(snapshot.queues.map((q) => q.name));
  const activeUser = (person: string | null | undefined) => {
    const d = person ? byPerson.get(person) : undefined;
    return d?.present ? d.username : undefined;
  };
  for (const d of users) {
    if (!d.offboard || !off.transfer) continue;
    for (const object of off.transfer.objects) {
      const to = pickRecipient(off.transfer.to, object, {
        manager: activeUser(peopleByKey.get(d.person)?.facts.attributes.manager),
        successor: activeUser(policy.lifecycle.successors?.[d.person]),
        userExists: (u) => liveByUsername.get(u.toLowerCase())?.isActive === true,
        queueExists: (q) => queues.has(q),
      });
      if (to) d.offboard.transfers.push({ object, ...to });
    }
  }
  // Owned ManagerId values hold the manager's login; point them at the manager's Username in this org.
  // A manager who has no user yet and whose creation this plan cannot make (held back by a
  // conflict, or protected) is not referenced: that would name a user nothing creates.
  const conflicted = new Set(conflicts.map((c) => c.person));
  const protectedPatterns = policy.guardrails.protectedAccounts ?? [];
  const referable = (d: DesiredSalesforceUser | undefined) =>
    !!d?.present &&
    (!!d.live ||
      (!conflicted.has(d.person) &&
        ![d.username, d.person].some((k) => matchesAnyGlob(k, protectedPatterns))));
  for (const d of users) {
    if (!('ManagerId' in d.ownedFields)) continue;
    const manager = d.ownedFields.ManagerId ? byPerson.get(d.ownedFields.ManagerId) : undefined;
    d.ownedFields.ManagerId = referable(manager) ? manager!.username : null;
  }

  // Accounts in a conflict are someone's, just not decided yet: they are not orphans.
  const claimed = new Set([...match.matched.values()].map((u) => u.username));
  for (const c of match.conflicts) for (const k of c.candidates) claimed.add(k);
  const orphans = snapshot.users.filter((u) => u.isActive && !claimed.has(u.username));
  return { users, conflicts, findings, orphans };
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
