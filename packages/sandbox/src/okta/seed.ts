import type { DemoCompany, DemoPerson, DirectoryStatus } from '../company.js';
import { seedFactors } from './factors.js';
import { oktaId } from './ids.js';
import { APP_SEQ_BASE, OktaStore, ALL_SCOPES } from './store.js';
import type { OktaAppData, OktaGroupRecord, OktaStoreData, OktaUserRecord, OktaUserStatus } from './types.js';

const STATUS: Record<DirectoryStatus, OktaUserStatus> = {
  active: 'ACTIVE',
  suspended: 'SUSPENDED',
  deprovisioned: 'DEPROVISIONED',
  staged: 'STAGED',
};

/** The service app the sandbox registers for the OAuth private-key flow (any signing key accepted). */
export const OKTA_SANDBOX_CLIENT_ID = '0oasandboxaccord0001';

/** Seeded timestamps count from here, so a seed always gives the same store. */
const EPOCH = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const DAY = 86_400_000;

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const dayCache = new Map<number, string>();
/**
 * `toISOString` for whole minutes, without a Date per call: at 100k users the seed formats half a
 * million timestamps, and Date formatting was a third of the seed's time.
 */
function iso(ms: number): string {
  const day = Math.floor(ms / DAY);
  let date = dayCache.get(day);
  if (date === undefined) dayCache.set(day, (date = new Date(day * DAY).toISOString().slice(0, 10)));
  const minutes = Math.floor((ms - day * DAY) / MINUTE);
  return `${date}T${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}:00.000Z`;
}

/**
 * The Acme org: every person whose home is Okta, the groups of `company.okta.groups` with the
 * memberships in `person.groups`, and Everyone holding all users. Builds the plain store data in
 * one pass (ids first, so managers resolve to ids) and lets `fromJSON` build the indexes once.
 */
export function seedOkta(company: DemoCompany): OktaStore {
  const salt = company.seed >>> 0;
  const typeId = oktaId('oty', salt, 0);
  let seq = 1;

  const groups: OktaGroupRecord[] = company.okta.groups.map((g, i) => {
    const at = iso(EPOCH - 400 * DAY + i * MINUTE);
    const id = oktaId('00g', salt, seq++);
    const app = g.type === 'APP_GROUP';
    const samAccountName = g.name.replace(/\s+/g, '');
    return {
      id,
      type: g.type,
      created: at,
      lastUpdated: at,
      lastMembershipUpdated: at,
      profile: app
        ? {
            name: g.name,
            description: g.description,
            samAccountName,
            dn: `CN=${g.name},CN=Users,DC=acme,DC=test`,
            windowsDomainQualifiedName: `ACME\\${samAccountName}`,
            groupType: 'Security',
            groupScope: 'Global',
          }
        : { name: g.name, description: g.description },
      sourceId: app ? oktaId('0oa', salt, seq++) : null,
    };
  });
  const groupByName = new Map(groups.map((g) => [g.profile.name, g]));
  const everyone = groups.find((g) => g.type === 'BUILT_IN' && g.profile.name === 'Everyone');

  const people = company.people.filter((p) => p.home === 'okta');
  const idByLogin = new Map<string, string>();
  for (const p of people) idByLogin.set(p.login.toLowerCase(), oktaId('00u', salt, seq++));

  const members: Record<string, string[]> = {};
  for (const g of groups) members[g.id] = [];
  const users: OktaUserRecord[] = people.map((p, i) => {
    const id = idByLogin.get(p.login.toLowerCase())!;
    if (everyone) members[everyone.id]!.push(id);
    for (const name of p.groups) {
      const group = groupByName.get(name);
      if (group && group !== everyone) members[group.id]!.push(id);
    }
    return userRecord(p, i, id, idByLogin);
  });

  // Apps come last and from their own id sequence: they leave every other id as it was.
  const statusOf = new Map(people.map((p) => [p.login.toLowerCase(), STATUS[p.status]]));
  const apps: OktaAppData[] = company.okta.apps.map((a, i) => {
    const at = iso(EPOCH - 300 * DAY + i * MINUTE);
    return {
      id: oktaId('0oa', salt, APP_SEQ_BASE + i),
      name: a.name,
      label: a.label,
      status: 'ACTIVE',
      created: at,
      lastUpdated: at,
      signOnMode: a.signOnMode,
      groups: a.groups
        .flatMap((name) => groupByName.get(name) ?? [])
        .map((g, priority) => ({ groupId: g.id, priority, created: at, lastUpdated: at })),
      // Okta keeps no assignment of a deactivated user.
      users: a.users.flatMap((login) => {
        const key = login.toLowerCase();
        const id = idByLogin.get(key);
        return id && statusOf.get(key) !== 'DEPROVISIONED'
          ? [{ userId: id, created: at, lastUpdated: at }]
          : [];
      }),
    };
  });

  const data: OktaStoreData = {
    version: 1,
    salt,
    nextSeq: seq,
    settings: { activateWithoutPassword: 'PROVISIONED' },
    userTypeId: typeId,
    users,
    groups,
    members,
    oauthClients: [{ clientId: OKTA_SANDBOX_CLIENT_ID, scopes: [...ALL_SCOPES], publicKeys: [] }],
    apps,
    nextAppSeq: APP_SEQ_BASE + apps.length,
    factors: seedFactors(users, salt),
  };
  return OktaStore.fromJSON(data, { adopt: true });

  function userRecord(p: DemoPerson, i: number, id: string, ids: Map<string, string>): OktaUserRecord {
    const status = STATUS[p.status];
    const created = EPOCH - 365 * DAY + i * MINUTE;
    const staged = status === 'STAGED';
    const changed = status === 'SUSPENDED' || status === 'DEPROVISIONED';
    const activated = staged ? null : iso(created + 60 * MINUTE);
    return {
      id,
      status,
      created: iso(created),
      activated,
      statusChanged: changed ? iso(created + 200 * DAY) : activated,
      lastLogin: status === 'ACTIVE' ? iso(created + 300 * DAY) : null,
      lastUpdated: iso(created + (changed ? 200 : 100) * DAY),
      passwordChanged: staged ? null : iso(created + 61 * MINUTE),
      typeId,
      profile: {
        login: p.login,
        email: p.email,
        firstName: p.firstName,
        lastName: p.lastName,
        employeeNumber: p.employeeNumber,
        department: p.department,
        title: p.title,
        manager: p.manager,
        managerId: p.manager ? (ids.get(p.manager.toLowerCase()) ?? null) : null,
        mobilePhone: p.phone,
        primaryPhone: p.phone,
        countryCode: p.country,
        city: p.city,
        userType: p.userType,
        secondEmail: null,
      },
      hasPassword: !staged,
    };
  }
}
