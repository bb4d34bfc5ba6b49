import { randomBytes } from 'node:crypto';
import { OneLoginAppBook, type OneLoginAppData } from './apps.js';
import { OneLoginDeviceBook, type OneLoginDeviceRecord } from './devices.js';
import { badRequest, notFound, unprocessable } from './errors.js';
import { OneLoginEventLog, type EventTypeName, type NewEvent, type OneLoginEvent } from './events.js';
import { DEFAULT_RATE_LIMIT_PER_HOUR, RateLimiter } from './rate-limit.js';
import {
  newUser,
  USER_STATES,
  USER_STATUSES,
  UserStateCode,
  UserStatusCode,
  type AddedBy,
  type OneLoginApp,
  type OneLoginRole,
  type OneLoginRoleUser,
  type OneLoginUser,
  type RoleMembership,
  type UserState,
  type UserStatus,
} from './types.js';

/** Tokens live 10 h (`expires_in: 36000`), and the same one is handed out until it expires. */
export const TOKEN_LIFETIME_SECONDS = 36_000;

export interface IssuedToken {
  access_token: string;
  refresh_token: string;
  created_at: string;
  /** Epoch ms. */
  expires_at: number;
}

/** Plain JSON: what `accord sandbox --data FILE` writes and `fromJSON` reads back. */
export interface OneLoginStoreData {
  format: 'accord.sandbox.onelogin';
  version: 1;
  accountId: number;
  clientId: string;
  clientSecret: string;
  rateLimitPerHour: number;
  nextUserId: number;
  nextRoleId: number;
  /** `role_ids` here is informative; `fromJSON` derives it again from the role members. */
  users: OneLoginUser[];
  roles: (OneLoginRole & { members: RoleMembership[] })[];
  tokens: IssuedToken[];
  /** Absent in data saved before apps were modelled: such data loads with no apps. */
  apps?: OneLoginAppData[];
  nextAppId?: number;
  /** The event log (`GET /api/1/events`); absent in data saved before it was modelled. */
  events?: { events: OneLoginEvent[]; nextId: number };
  /** MFA devices (UC-17); absent in data saved before they were modelled: nobody has one. */
  devices?: { devices: OneLoginDeviceRecord[]; nextId: number };
}

export interface OneLoginStoreOptions {
  /** The clock for timestamps, token expiry and the rate-limit window (tests move it). */
  now?: () => number;
}

/** Fields a client may send on create and update. `password` is accepted but never stored. */
export interface UserInput {
  username?: string | null;
  email?: string | null;
  firstname?: string | null;
  lastname?: string | null;
  title?: string | null;
  department?: string | null;
  company?: string | null;
  comment?: string | null;
  phone?: string | null;
  state?: number;
  status?: number;
  group_id?: number | null;
  directory_id?: number | null;
  trusted_idp_id?: number | null;
  manager_user_id?: number | null;
  manager_ad_id?: number | null;
  external_id?: string | null;
  samaccountname?: string | null;
  userprincipalname?: string | null;
  distinguished_name?: string | null;
  member_of?: string | null;
  preferred_locale_code?: string | null;
  custom_attributes?: Record<string, string | null>;
  password?: string;
  password_confirmation?: string;
}

export interface AppInput {
  name: string;
  connector_id?: number;
  description?: string;
  visible?: boolean;
  /** @default 2 (SAML) */
  auth_method?: number;
}

/** App ids start here; they are a sequence of their own, so apps never shift user or role ids. */
export const FIRST_APP_ID = 1_200_001;

export interface RoleInput {
  name?: string;
  apps?: number[];
  users?: number[];
  admins?: number[];
}

const STRING_FIELDS = [
  'username',
  'email',
  'firstname',
  'lastname',
  'title',
  'department',
  'company',
  'comment',
  'phone',
  'external_id',
  'samaccountname',
  'userprincipalname',
  'distinguished_name',
  'member_of',
  'preferred_locale_code',
] as const;
const NUMBER_FIELDS = [
  'group_id',
  'directory_id',
  'trusted_idp_id',
  'manager_user_id',
  'manager_ad_id',
] as const;

/** Who the role-users endpoint says added a member when the emulator's API client did it. */
export const API_ACTOR: AddedBy = { id: 0, name: 'API' };

const lower = (s: string | null | undefined) => (s ? s.toLowerCase() : undefined);
const label = (field: string) => field.charAt(0).toUpperCase() + field.slice(1).replace(/_/g, ' ');

/**
 * The OneLogin account in memory. Users and roles are kept in Maps in id order (ids only grow, so
 * insertion order is id order), with unique indexes on username and email, and role membership as
 * one Map per role; each user's `role_ids` is maintained from it. Ordered id lists are cached and
 * dropped on writes, so a list request costs the page it returns.
 */
export class OneLoginStore {
  readonly accountId: number;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly rateLimit: RateLimiter;
  readonly now: () => number;

  private nextUserId: number;
  private nextRoleId: number;
  private nextAppId = FIRST_APP_ID;
  /** Times each user was logged out (PUT /api/1/users/:id/logout), by user id. */
  readonly logouts = new Map<number, number>();
  private readonly usersById = new Map<number, OneLoginUser>();
  private readonly byUsername = new Map<string, number>();
  private readonly byEmail = new Map<string, number>();
  private readonly rolesById = new Map<number, OneLoginRole>();
  private readonly byRoleName = new Map<string, number>();
  private readonly members = new Map<number, Map<number, RoleMembership>>();
  private readonly tokens = new Map<string, IssuedToken>();
  private userOrder: number[] | undefined;
  private roleOrder: number[] | undefined;
  private readonly memberOrder = new Map<number, number[]>();
  /** Events: the mutations below append to it, and so does the tenant API for logins. */
  events: OneLoginEventLog;
  private readonly appBook = new OneLoginAppBook({
    roleIds: () => this.roleIds(),
    roleRef: (id) => this.rolesById.get(id),
    roleMemberIds: (id) => this.roleMemberIds(id),
  });
  /** MFA devices per user (UC-17); the tenant API enrols and removes them (devices.ts). */
  readonly devices: OneLoginDeviceBook = new OneLoginDeviceBook({
    requireUser: (idOrUsername) => this.requireUser(idOrUsername),
    now: () => this.now(),
    log: (event) => void this.events.append(event),
  });

  constructor(
    init: Pick<OneLoginStoreData, 'accountId' | 'clientId' | 'clientSecret'> &
      Partial<Pick<OneLoginStoreData, 'rateLimitPerHour' | 'nextUserId' | 'nextRoleId'>>,
    options: OneLoginStoreOptions = {},
  ) {
    this.accountId = init.accountId;
    this.clientId = init.clientId;
    this.clientSecret = init.clientSecret;
    this.now = options.now ?? Date.now;
    this.rateLimit = new RateLimiter(init.rateLimitPerHour ?? DEFAULT_RATE_LIMIT_PER_HOUR, () => this.now());
    this.nextUserId = init.nextUserId ?? 40_000_001;
    this.nextRoleId = init.nextRoleId ?? 500_001;
    this.events = new OneLoginEventLog(this.accountId, () => this.now());
  }

  private nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  // ---- reads -------------------------------------------------------------------------------

  /** Users in id order (copies). */
  users(): OneLoginUser[] {
    return this.userIds().map((id) => structuredClone(this.usersById.get(id)!));
  }

  user(id: number): OneLoginUser | undefined {
    const u = this.usersById.get(id);
    return u && structuredClone(u);
  }

  findUserByUsername(username: string): OneLoginUser | undefined {
    const id = this.userIdByUsername(username);
    return id === undefined ? undefined : this.user(id);
  }

  findUserByEmail(email: string): OneLoginUser | undefined {
    const id = this.userIdByEmail(email);
    return id === undefined ? undefined : this.user(id);
  }

  /** Roles in id order (copies). */
  roles(): OneLoginRole[] {
    return this.roleIds().map((id) => structuredClone(this.rolesById.get(id)!));
  }

  role(id: number): OneLoginRole | undefined {
    const r = this.rolesById.get(id);
    return r && structuredClone(r);
  }

  findRoleByName(name: string): OneLoginRole | undefined {
    const id = this.byRoleName.get(name.toLowerCase());
    return id === undefined ? undefined : this.role(id);
  }

  /** Members of a role as `GET /api/2/roles/:id/users` shows them, in user id order. */
  roleUsers(roleId: number): OneLoginRoleUser[] {
    return this.roleMemberIds(roleId).map((userId) => this.roleUserRow(roleId, userId));
  }

  get userCount(): number {
    return this.usersById.size;
  }

  // ---- live views for the handlers (no copies; callers must not mutate) ----------------------

  /** @internal */
  userRef(id: number): OneLoginUser | undefined {
    return this.usersById.get(id);
  }

  /** @internal */
  roleRef(id: number): OneLoginRole | undefined {
    return this.rolesById.get(id);
  }

  /** @internal */
  userIdByUsername(username: string): number | undefined {
    return this.byUsername.get(username.toLowerCase());
  }

  /** @internal */
  userIdByEmail(email: string): number | undefined {
    return this.byEmail.get(email.toLowerCase());
  }

  /** All user ids, ascending. Cached until the next create or delete. */
  userIds(): readonly number[] {
    this.userOrder ??= [...this.usersById.keys()];
    return this.userOrder;
  }

  roleIds(): readonly number[] {
    this.roleOrder ??= [...this.rolesById.keys()];
    return this.roleOrder;
  }

  /** Member ids of a role, ascending. Cached until the role's membership changes. */
  roleMemberIds(roleId: number): readonly number[] {
    const members = this.members.get(roleId);
    if (!members) return [];
    let order = this.memberOrder.get(roleId);
    if (!order) {
      order = [...members.keys()].sort((a, b) => a - b);
      this.memberOrder.set(roleId, order);
    }
    return order;
  }

  /** @internal */
  roleUserRow(roleId: number, userId: number): OneLoginRoleUser {
    const u = this.usersById.get(userId)!;
    const m = this.members.get(roleId)?.get(userId);
    const name = [u.firstname, u.lastname].filter(Boolean).join(' ');
    return {
      id: u.id,
      name: name || u.username || u.email || '',
      username: u.username,
      added_by: m ? m.added_by : null,
      added_at: m ? m.added_at : null,
      assigned: m !== undefined,
    };
  }

  // ---- users -------------------------------------------------------------------------------

  createUser(input: UserInput): OneLoginUser {
    this.checkUserInput(input, undefined);
    const username = input.username ?? null;
    const email = input.email ?? null;
    if (!username && !email) throw unprocessable('Username or email is required');
    const at = this.nowIso();
    const hasPassword = typeof input.password === 'string' && input.password.length > 0;
    // No password: "Password pending" (7), and no invitation goes out.
    const status = (input.status as UserStatus | undefined) ?? (hasPassword ? 1 : 7);
    const user = newUser({
      id: this.nextUserId++,
      username,
      email,
      state: (input.state as UserState | undefined) ?? UserStateCode.Approved,
      status,
      activated_at: status === UserStatusCode.Active ? at : null,
      created_at: at,
      password_changed_at: hasPassword ? at : null,
    });
    this.assign(user, input);
    this.usersById.set(user.id, user);
    this.index(user);
    this.userOrder = undefined;
    this.logUser('USER_CREATED', user);
    return structuredClone(user);
  }

  /**
   * PUT semantics: the fields sent replace the stored ones; the rest stay. `state` and `status`
   * ARE writable here. Whether real v2 allows that is UNCONFIRMED (v1 has `set_state`); accord
   * needs one documented way to suspend (status 2) and re-activate (status 1) a user, and this is
   * it. `role_ids` and the timestamps are read-only and ignored.
   */
  updateUser(id: number, input: UserInput): OneLoginUser {
    const user = this.usersById.get(id);
    if (!user) throw notFound();
    this.checkUserInput(input, id);
    const username = input.username === undefined ? user.username : input.username;
    const email = input.email === undefined ? user.email : input.email;
    if (!username && !email) throw unprocessable('Username or email is required');
    const at = this.nowIso();
    this.unindex(user);
    this.assign(user, input);
    if (input.state !== undefined) user.state = input.state as UserState;
    if (input.status !== undefined) user.status = input.status as UserStatus;
    if (input.password) {
      user.password_changed_at = at;
      if (input.status === undefined && user.status === UserStatusCode.PasswordPending)
        user.status = UserStatusCode.Active;
    }
    if (user.status === UserStatusCode.Active) user.activated_at ??= at;
    user.updated_at = at;
    this.index(user);
    this.logUser('USER_UPDATED', user);
    return structuredClone(user);
  }

  deleteUser(id: number): void {
    const user = this.usersById.get(id);
    if (!user) throw notFound();
    for (const roleId of user.role_ids) {
      this.members.get(roleId)?.delete(id);
      this.memberOrder.delete(roleId);
    }
    this.appBook.forgetUser(id);
    this.devices.forgetUser(id);
    this.unindex(user);
    this.usersById.delete(id);
    this.userOrder = undefined;
    // A deleted manager leaves no dangling reference, as a real account would show.
    for (const other of this.usersById.values())
      if (other.manager_user_id === id) other.manager_user_id = null;
    this.logUser('USER_DELETED', user);
  }

  private checkUserInput(input: UserInput, selfId: number | undefined): void {
    requireObject(input);
    const record = input as Record<string, unknown>;
    for (const f of STRING_FIELDS) {
      const v = record[f];
      if (v !== undefined && v !== null && typeof v !== 'string')
        throw unprocessable(`${label(f)} is invalid`);
    }
    for (const f of NUMBER_FIELDS) {
      const v = record[f];
      if (v !== undefined && v !== null && !Number.isInteger(v))
        throw unprocessable(`${label(f)} is invalid`);
    }
    if (input.state !== undefined && !(USER_STATES as readonly unknown[]).includes(input.state))
      throw unprocessable('State is not included in the list');
    if (input.status !== undefined && !(USER_STATUSES as readonly unknown[]).includes(input.status))
      throw unprocessable('Status is not included in the list');
    if (input.email && !/^[^@\s]+@[^@\s]+$/.test(input.email)) throw unprocessable('Email is invalid');
    if (input.username !== undefined && input.username !== null) {
      const owner = this.byUsername.get(input.username.toLowerCase());
      if (owner !== undefined && owner !== selfId) throw unprocessable('Username has already been taken');
    }
    if (input.email !== undefined && input.email !== null) {
      const owner = this.byEmail.get(input.email.toLowerCase());
      if (owner !== undefined && owner !== selfId) throw unprocessable('Email has already been taken');
    }
    if (input.password !== undefined) {
      if (typeof input.password !== 'string') throw unprocessable('Password is invalid');
      if (input.password_confirmation !== undefined && input.password_confirmation !== input.password)
        throw unprocessable("Password confirmation doesn't match Password");
    }
    if (input.manager_user_id !== undefined && input.manager_user_id !== null) {
      if (input.manager_user_id === selfId) throw unprocessable('Manager user can not be the user itself');
      if (!this.usersById.has(input.manager_user_id)) throw unprocessable('Manager user does not exist');
    }
    if (input.custom_attributes !== undefined) {
      const ca = input.custom_attributes as unknown;
      if (typeof ca !== 'object' || ca === null || Array.isArray(ca))
        throw unprocessable('Custom attributes is invalid');
      for (const v of Object.values(ca)) {
        if (v !== null && typeof v !== 'string') throw unprocessable('Custom attributes is invalid');
      }
    }
  }

  private assign(user: OneLoginUser, input: UserInput): void {
    for (const f of STRING_FIELDS) if (input[f] !== undefined) user[f] = input[f] ?? null;
    for (const f of NUMBER_FIELDS) if (input[f] !== undefined) user[f] = input[f] ?? null;
    // Custom attributes merge: a PUT names the ones it changes; null clears one.
    if (input.custom_attributes) Object.assign(user.custom_attributes, input.custom_attributes);
  }

  private index(user: OneLoginUser): void {
    const u = lower(user.username);
    const e = lower(user.email);
    if (u) this.byUsername.set(u, user.id);
    if (e) this.byEmail.set(e, user.id);
  }

  private unindex(user: OneLoginUser): void {
    const u = lower(user.username);
    const e = lower(user.email);
    if (u && this.byUsername.get(u) === user.id) this.byUsername.delete(u);
    if (e && this.byEmail.get(e) === user.id) this.byEmail.delete(e);
  }

  // ---- roles -------------------------------------------------------------------------------

  createRole(input: RoleInput): OneLoginRole {
    requireObject(input);
    const name = this.checkRoleName(input.name, undefined);
    const users = input.users === undefined ? [] : this.checkIds(input.users, 'Users');
    const role: OneLoginRole = {
      id: this.nextRoleId++,
      name,
      apps: input.apps === undefined ? [] : this.checkAppIds(input.apps),
      admins: input.admins === undefined ? [] : [...this.checkIds(input.admins, 'Admins')],
    };
    this.missingUsers(users);
    this.rolesById.set(role.id, role);
    this.byRoleName.set(name.toLowerCase(), role.id);
    this.members.set(role.id, new Map());
    this.roleOrder = undefined;
    this.appBook.changed();
    if (users.length) this.addRoleUsers(role.id, users);
    return structuredClone(role);
  }

  updateRole(id: number, input: RoleInput): OneLoginRole {
    const role = this.rolesById.get(id);
    if (!role) throw notFound();
    requireObject(input);
    if (input.name !== undefined) {
      const name = this.checkRoleName(input.name, id);
      this.byRoleName.delete(role.name.toLowerCase());
      role.name = name;
      this.byRoleName.set(name.toLowerCase(), id);
    }
    if (input.apps !== undefined) {
      role.apps = this.checkAppIds(input.apps);
      this.appBook.changed();
    }
    if (input.admins !== undefined) role.admins = [...this.checkIds(input.admins, 'Admins')];
    return structuredClone(role);
  }

  deleteRole(id: number): void {
    const role = this.rolesById.get(id);
    if (!role) throw notFound();
    const at = this.nowIso();
    for (const userId of this.members.get(id)?.keys() ?? []) {
      const user = this.usersById.get(userId);
      if (!user) continue;
      user.role_ids = user.role_ids.filter((r) => r !== id);
      user.updated_at = at;
    }
    this.members.delete(id);
    this.memberOrder.delete(id);
    this.byRoleName.delete(role.name.toLowerCase());
    this.rolesById.delete(id);
    this.roleOrder = undefined;
    this.appBook.changed();
  }

  /**
   * All or nothing: an unknown user id rejects the whole request (422) so a client never has to
   * guess which part landed. Adding a member again is a no-op that still reports the id.
   * Membership changes touch the user's `updated_at`, so `updated_since` sees role changes.
   */
  addRoleUsers(roleId: number, userIds: readonly number[], addedBy: AddedBy = API_ACTOR): number[] {
    const members = this.members.get(roleId);
    if (!members) throw notFound();
    const ids = [...new Set(this.checkIds(userIds, 'User ids'))];
    this.missingUsers(ids);
    const at = this.nowIso();
    for (const userId of ids) {
      if (members.has(userId)) continue;
      members.set(userId, { user_id: userId, added_at: at, added_by: addedBy });
      const user = this.usersById.get(userId)!;
      user.role_ids = insertSorted(user.role_ids, roleId);
      user.updated_at = at;
      this.logRole('ROLE_ASSIGNED_TO_USER', user, roleId);
    }
    this.memberOrder.delete(roleId);
    this.appBook.changed();
    return ids;
  }

  /** Removing a user who isn't a member (or doesn't exist) is a no-op: DELETE is idempotent. */
  removeRoleUsers(roleId: number, userIds: readonly number[]): void {
    const members = this.members.get(roleId);
    if (!members) throw notFound();
    const at = this.nowIso();
    for (const userId of this.checkIds(userIds, 'User ids')) {
      if (!members.delete(userId)) continue;
      const user = this.usersById.get(userId);
      if (user) {
        user.role_ids = user.role_ids.filter((r) => r !== roleId);
        user.updated_at = at;
        this.logRole('ROLE_REMOVED_FROM_USER', user, roleId);
      }
    }
    this.memberOrder.delete(roleId);
    this.appBook.changed();
  }

  /** The trimmed name, when it is not blank and no role but `selfId` holds it. */
  private checkRoleName(raw: unknown, selfId: number | undefined): string {
    const name = typeof raw === 'string' ? raw.trim() : '';
    if (!name) throw unprocessable("Name can't be blank");
    const owner = this.byRoleName.get(name.toLowerCase());
    if (owner !== undefined && owner !== selfId) throw unprocessable('Name has already been taken');
    return name;
  }

  private checkIds(ids: unknown, what: string): number[] {
    if (!Array.isArray(ids) || !ids.every((v) => Number.isInteger(v)))
      throw unprocessable(`${what} must be an array of integer ids`);
    return ids as number[];
  }

  /**
   * A role's `apps` must name apps that exist, each once (kept in the order given). UNCONFIRMED:
   * the wording of the 422; it follows the unknown-users one.
   */
  private checkAppIds(ids: unknown): number[] {
    const unique = [...new Set(this.checkIds(ids, 'Apps'))];
    const missing = unique.filter((id) => !this.appBook.get(id));
    if (missing.length) throw unprocessable(`Apps not found: ${missing.join(', ')}`);
    return unique;
  }

  private missingUsers(ids: readonly number[]): void {
    const missing = ids.filter((id) => !this.usersById.has(id));
    if (missing.length) throw unprocessable(`Users not found: ${missing.join(', ')}`);
  }

  // ---- apps (also the tenant API tests edit the account with) ---------------------------------

  createApp(input: AppInput): OneLoginApp {
    requireObject(input);
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name) throw unprocessable("Name can't be blank");
    const at = this.nowIso();
    const app: OneLoginApp = {
      id: this.nextAppId++,
      connector_id: input.connector_id ?? 0,
      name,
      description: input.description ?? '',
      visible: input.visible ?? true,
      auth_method: input.auth_method ?? 2,
      created_at: at,
      updated_at: at,
    };
    this.appBook.add(app);
    return structuredClone(app);
  }

  /** Apps in id order (copies). */
  apps(): OneLoginApp[] {
    return this.appBook.ids().map((id) => structuredClone(this.appBook.get(id)!));
  }

  app(id: number): OneLoginApp | undefined {
    const a = this.appBook.get(id);
    return a && structuredClone(a);
  }

  /** Apps named `name`, ignoring case (names need not be unique). */
  findAppsByName(name: string): OneLoginApp[] {
    const key = name.toLowerCase();
    return this.apps().filter((a) => a.name.toLowerCase() === key);
  }

  /** Adds the app to the role's `apps`: every member, now and later, has it. */
  grantAppToRole(roleId: number, appId: number): OneLoginRole {
    const role = this.rolesById.get(roleId);
    if (!role) throw notFound();
    if (!this.appBook.get(appId)) throw notFound();
    if (!role.apps.includes(appId)) role.apps = [...role.apps, appId];
    this.appBook.changed();
    return structuredClone(role);
  }

  revokeAppFromRole(roleId: number, appId: number): OneLoginRole {
    const role = this.rolesById.get(roleId);
    if (!role) throw notFound();
    role.apps = role.apps.filter((a) => a !== appId);
    this.appBook.changed();
    return structuredClone(role);
  }

  /** A direct assignment, whatever the user's roles. */
  assignAppToUser(appId: number, userId: number): void {
    if (!this.appBook.get(appId) || !this.usersById.has(userId)) throw notFound();
    this.appBook.assignUser(appId, userId);
  }

  /** Removes the direct assignment only; a role may still give the app. */
  unassignAppFromUser(appId: number, userId: number): void {
    if (!this.appBook.get(appId)) throw notFound();
    this.appBook.unassignUser(appId, userId);
  }

  /** @internal */
  appRef(id: number): OneLoginApp | undefined {
    return this.appBook.get(id);
  }

  appIds(): readonly number[] {
    return this.appBook.ids();
  }

  /** Ids of the users who have the app (directly or through a role), ascending. Shared: don't mutate. */
  appUserIds(appId: number): readonly number[] {
    return this.appBook.userIds(appId);
  }

  // ---- tokens ------------------------------------------------------------------------------

  /** The current token for the sandbox client, or a new one once it has expired. */
  issueToken(): IssuedToken {
    const now = this.now();
    for (const [key, t] of this.tokens) if (t.expires_at <= now) this.tokens.delete(key);
    const live = [...this.tokens.values()].at(-1);
    if (live) return { ...live };
    const token: IssuedToken = {
      access_token: randomBytes(32).toString('hex'),
      refresh_token: randomBytes(32).toString('hex'),
      created_at: new Date(now).toISOString(),
      expires_at: now + TOKEN_LIFETIME_SECONDS * 1000,
    };
    this.tokens.set(token.access_token, token);
    return { ...token };
  }

  isValidToken(accessToken: string): boolean {
    const t = this.tokens.get(accessToken);
    return t !== undefined && t.expires_at > this.now();
  }

  revokeToken(accessToken: string): boolean {
    return this.tokens.delete(accessToken);
  }

  // ---- events: what tests record (the tenant API), and what the mutations above append ---------

  /** A login to OneLogin, successful (event type 5) or failed (6). */
  recordLogin(
    username: string,
    options: { success?: boolean; ipaddr?: string; userAgent?: string; reason?: string } = {},
  ): OneLoginEvent {
    const user = this.requireUserByUsername(username);
    const success = options.success ?? true;
    if (success) user.last_login = this.nowIso();
    return this.events.append({
      type: success ? 'USER_LOGGED_INTO_ONELOGIN' : 'USER_FAILED_AUTHENTICATION',
      ...subject(user),
      actor_user_id: user.id,
      actor_user_name: displayName(user),
      ipaddr: options.ipaddr ?? '203.0.113.20',
      user_agent: options.userAgent ?? 'Mozilla/5.0 (sandbox)',
      ...(options.reason ? { notes: options.reason } : {}),
    });
  }

  /** An admin removed the user's OTP device (a factor reset). */
  recordOtpDeviceRemoved(username: string, device = 'OneLogin Protect'): OneLoginEvent {
    const user = this.requireUserByUsername(username);
    return this.events.append({
      type: 'USER_OTP_DEVICE_DEREGISTERED',
      ...subject(user),
      actor_system: 'API',
      otp_device_id: 7_000_000 + (user.id % 1_000_000),
      otp_device_name: device,
    });
  }

  /** The user got past an MFA challenge without a factor. */
  recordMfaBypass(username: string): OneLoginEvent {
    const user = this.requireUserByUsername(username);
    return this.events.append({
      type: 'USER_BYPASSED_MFA',
      ...subject(user),
      actor_user_id: user.id,
      actor_user_name: displayName(user),
    });
  }

  /** An admin privilege granted to the user (nothing else changes). */
  grantPrivilege(username: string, privilege = 'Super user'): OneLoginEvent {
    const user = this.requireUserByUsername(username);
    return this.events.append({
      type: 'PRIVILEGE_GRANTED_TO_USER',
      ...subject(user),
      actor_system: 'API',
      custom_message: privilege,
    });
  }

  /** Any other event, as the caller describes it. */
  appendEvent(input: NewEvent): OneLoginEvent {
    return this.events.append(input);
  }

  /** A user by id or username (the live record). */
  private requireUser(idOrUsername: number | string): OneLoginUser {
    if (typeof idOrUsername === 'string') return this.requireUserByUsername(idOrUsername);
    const user = this.usersById.get(idOrUsername);
    if (!user) throw notFound(`no user ${idOrUsername}`);
    return user;
  }

  private requireUserByUsername(username: string): OneLoginUser {
    const id = this.userIdByUsername(username) ?? this.userIdByEmail(username);
    const user = id === undefined ? undefined : this.usersById.get(id);
    if (!user) throw notFound(`no user ${username}`);
    return user;
  }

  private logUser(type: EventTypeName, user: OneLoginUser): void {
    this.events.append({ type, ...subject(user), actor_system: 'API' });
  }

  private logRole(type: EventTypeName, user: OneLoginUser, roleId: number): void {
    const role = this.rolesById.get(roleId);
    this.events.append({
      type,
      ...subject(user),
      actor_system: 'API',
      role_id: roleId,
      role_name: role?.name ?? null,
    });
  }

  // ---- persistence -------------------------------------------------------------------------

  toJSON(): OneLoginStoreData {
    return {
      format: 'accord.sandbox.onelogin',
      version: 1,
      accountId: this.accountId,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      rateLimitPerHour: this.rateLimit.limitPerHour,
      nextUserId: this.nextUserId,
      nextRoleId: this.nextRoleId,
      users: this.users(),
      roles: this.roleIds().map((id) => ({
        ...structuredClone(this.rolesById.get(id)!),
        members: this.roleMemberIds(id).map((u) => structuredClone(this.members.get(id)!.get(u)!)),
      })),
      tokens: [...this.tokens.values()].map((t) => ({ ...t })),
      apps: this.appBook.toJSON(),
      nextAppId: this.nextAppId,
      events: this.events.toJSON(),
      devices: this.devices.toJSON(),
    };
  }

  static fromJSON(data: OneLoginStoreData, options: OneLoginStoreOptions = {}): OneLoginStore {
    if (data?.format !== 'accord.sandbox.onelogin' || data.version !== 1)
      throw new Error('not OneLogin sandbox data: expected format accord.sandbox.onelogin, version 1');
    const store = new OneLoginStore(data, options);
    const users = [...data.users].sort((a, b) => a.id - b.id);
    for (const u of users) {
      const user: OneLoginUser = { ...structuredClone(u), role_ids: [] };
      store.usersById.set(user.id, user);
      store.index(user);
      if (user.id >= store.nextUserId) store.nextUserId = user.id + 1;
    }
    for (const { user_ids, ...a } of [...(data.apps ?? [])].sort((x, y) => x.id - y.id)) {
      store.appBook.add(
        structuredClone(a),
        user_ids.filter((id) => store.usersById.has(id)),
      );
      if (a.id >= store.nextAppId) store.nextAppId = a.id + 1;
    }
    if (data.nextAppId !== undefined && data.nextAppId > store.nextAppId) store.nextAppId = data.nextAppId;
    const roles = [...data.roles].sort((a, b) => a.id - b.id);
    for (const { members, ...r } of roles) {
      const role: OneLoginRole = structuredClone(r);
      // Role apps name real apps (older data may name ids from before apps were modelled).
      role.apps = role.apps.filter((id) => store.appBook.get(id));
      store.rolesById.set(role.id, role);
      store.byRoleName.set(role.name.toLowerCase(), role.id);
      const map = new Map<number, RoleMembership>();
      for (const m of members) {
        const user = store.usersById.get(m.user_id);
        if (!user) continue;
        map.set(m.user_id, structuredClone(m));
        user.role_ids.push(role.id);
      }
      store.members.set(role.id, map);
      if (role.id >= store.nextRoleId) store.nextRoleId = role.id + 1;
    }
    // Roles were visited in id order, so every role_ids list is already sorted.
    for (const t of data.tokens ?? []) store.tokens.set(t.access_token, { ...t });
    if (data.events) store.events = new OneLoginEventLog(store.accountId, () => store.now(), data.events);
    store.devices.load(data.devices, (id) => store.usersById.has(id));
    return store;
  }
}

/** Every write takes a JSON object, whether it comes through a handler or is called directly. */
function requireObject(input: unknown): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw badRequest('Request body must be a JSON object');
}

const displayName = (u: OneLoginUser) =>
  [u.firstname, u.lastname].filter(Boolean).join(' ') || u.username || u.email || '';

/** The user an event is about. */
const subject = (u: OneLoginUser) => ({ user_id: u.id, user_name: displayName(u) });

function insertSorted(list: number[], value: number): number[] {
  if (list.includes(value)) return list;
  return [...list, value].sort((a, b) => a - b);
}
