import type { DemoCompany, DemoPerson, DirectoryStatus } from '../company.js';
import type { OneLoginAppData } from './apps.js';
import { seedDevices } from './devices.js';
import { API_ACTOR, FIRST_APP_ID, OneLoginStore, type OneLoginStoreData } from './store.js';
import {
  newUser,
  UserStateCode,
  UserStatusCode,
  type OneLoginUser,
  type UserState,
  type UserStatus,
} from './types.js';

/**
 * How a person's status in the demo company shows in OneLogin. OneLogin has no "deprovisioned":
 * a leaver is kept (so a snapshot can tell "left" from "never existed") as Suspended (status 2,
 * cannot log in) AND Unlicensed (state 3), which no merely suspended user has. "staged" (created,
 * never activated) is status 0 Unactivated.
 */
export const ONELOGIN_STATUS_OF: Record<DirectoryStatus, { state: UserState; status: UserStatus }> = {
  active: { state: UserStateCode.Approved, status: UserStatusCode.Active },
  suspended: { state: UserStateCode.Approved, status: UserStatusCode.Suspended },
  deprovisioned: { state: UserStateCode.Unlicensed, status: UserStatusCode.Suspended },
  staged: { state: UserStateCode.Approved, status: UserStatusCode.Unactivated },
};

/** Sandbox-only credentials (not secrets): what `env` hands to accord. */
export const SANDBOX_CLIENT_ID = 'sandbox-onelogin-client-id';
export const SANDBOX_CLIENT_SECRET = 'sandbox-onelogin-client-secret';

const FIRST_USER_ID = 40_000_001;
const FIRST_ROLE_ID = 500_001;
/** Seeded timestamps are a pure function of the company, so a seeded store's JSON is reproducible. */
const EPOCH = Date.UTC(2021, 0, 4, 9, 0, 0);
const HOUR = 3_600_000;

function seededUser(p: DemoPerson, id: number, index: number): OneLoginUser {
  const at = new Date(EPOCH + index * HOUR).toISOString();
  const { state, status } = ONELOGIN_STATUS_OF[p.status];
  const activated = status !== UserStatusCode.Unactivated;
  return newUser({
    id,
    username: p.login,
    email: p.email,
    firstname: p.firstName,
    lastname: p.lastName,
    title: p.title,
    department: p.department,
    company: 'Globex',
    comment: '',
    phone: p.phone,
    state,
    status,
    custom_attributes: {
      employeenumber: p.employeeNumber,
      usertype: p.userType,
      country: p.country,
      city: p.city,
    },
    activated_at: activated ? at : null,
    created_at: at,
    password_changed_at: activated ? at : null,
  });
}

/**
 * The Globex OneLogin account: people whose home is 'onelogin' become users (username = login),
 * `company.onelogin.roles` become roles, and a person's `groups` are the names of their roles.
 * One pass over the people plus Map lookups: 100k people seed in milliseconds.
 */
export function seedOneLogin(company: DemoCompany): OneLoginStore {
  const roleIds = new Map<string, number>();
  const roles: OneLoginStoreData['roles'] = [];
  const roleFor = (name: string) => {
    let id = roleIds.get(name);
    if (id === undefined) {
      id = FIRST_ROLE_ID + roles.length;
      roleIds.set(name, id);
      roles.push({ id, name, apps: [], admins: [], members: [] });
    }
    return roles[id - FIRST_ROLE_ID]!;
  };
  for (const name of company.onelogin.roles) roleFor(name);

  const users: OneLoginUser[] = [];
  const idByLogin = new Map<string, number>();
  const managers: [OneLoginUser, string][] = [];
  for (const p of company.people) {
    if (p.home !== 'onelogin') continue;
    const user = seededUser(p, FIRST_USER_ID + users.length, users.length);
    users.push(user);
    idByLogin.set(p.login.toLowerCase(), user.id);
    if (p.manager) managers.push([user, p.manager]);
    for (const name of p.groups) {
      roleFor(name).members.push({ user_id: user.id, added_at: user.created_at, added_by: API_ACTOR });
    }
  }
  // Managers in Okta (Acme) have no OneLogin id; they stay null, as a cross-directory manager would.
  for (const [user, login] of managers) user.manager_user_id = idByLogin.get(login.toLowerCase()) ?? null;

  // Apps have their own id sequence; granting one to a role touches only the role's `apps`.
  const apps: OneLoginAppData[] = company.onelogin.apps.map((a, i) => {
    const at = new Date(EPOCH - 30 * 24 * HOUR + i * HOUR).toISOString();
    const id = FIRST_APP_ID + i;
    for (const name of a.roles) {
      const roleId = roleIds.get(name);
      if (roleId !== undefined) roles[roleId - FIRST_ROLE_ID]!.apps.push(id);
    }
    return {
      id,
      connector_id: a.connectorId,
      name: a.name,
      description: '',
      visible: true,
      auth_method: a.authMethod,
      created_at: at,
      updated_at: at,
      user_ids: a.users.flatMap((login) => idByLogin.get(login.toLowerCase()) ?? []),
    };
  });

  return OneLoginStore.fromJSON({
    format: 'accord.sandbox.onelogin',
    version: 1,
    accountId: 100_000 + (Math.abs(Math.trunc(company.seed)) % 900_000),
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
    rateLimitPerHour: 5000,
    nextUserId: FIRST_USER_ID + users.length,
    nextRoleId: FIRST_ROLE_ID + roles.length,
    users,
    roles,
    tokens: [],
    apps,
    nextAppId: FIRST_APP_ID + apps.length,
    devices: seedDevices(users),
  });
}
