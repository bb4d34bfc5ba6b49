import {
  accessDenied,
  alreadyExists,
  invalidTransition,
  leftBlank,
  notFound,
  validationFailed,
  type OktaError,
} from './errors.js';
import { OktaAppBook, type AppAssignment, type NewApp } from './apps.js';
import { oktaId } from './ids.js';
import { OktaFactorBook } from './factors.js';
import { SortedIds } from './sorted-ids.js';
import { API_ACTOR, OktaSystemLog, type NewLogEvent, type OktaLogEvent } from './system-log.js';
import type {
  OktaAppGroupGrant,
  OktaAppRecord,
  OktaAppStatus,
  OktaAppUserGrant,
  OktaGroupProfile,
  OktaGroupRecord,
  OktaGroupType,
  OktaOAuthClient,
  OktaStoreData,
  OktaStoreSettings,
  OktaUserProfile,
  OktaUserRecord,
  OktaUserStatus,
} from './types.js';

export type LifecycleOperation =
  'activate' | 'deactivate' | 'suspend' | 'unsuspend' | 'reactivate' | 'unlock';

/** Which statuses each lifecycle operation accepts (reference 1.2, "Lifecycle endpoints"). */
const ALLOWED_FROM: Record<LifecycleOperation, readonly OktaUserStatus[]> = {
  activate: ['STAGED', 'DEPROVISIONED'],
  deactivate: ['STAGED', 'PROVISIONED', 'ACTIVE', 'RECOVERY', 'LOCKED_OUT', 'PASSWORD_EXPIRED', 'SUSPENDED'],
  suspend: ['ACTIVE'],
  unsuspend: ['SUSPENDED'],
  reactivate: ['PROVISIONED', 'RECOVERY'],
  unlock: ['LOCKED_OUT'],
};

export interface NewUser {
  profile: Partial<OktaUserProfile> & Record<string, unknown>;
  /** Whether the request carried a password credential. */
  password?: boolean;
  /** false: STAGED; true: ACTIVE with a password, else PROVISIONED (by default). */
  activate: boolean;
  groupIds?: string[];
  typeId?: string;
}

export interface NewGroup {
  name: string;
  description?: string | null;
  type?: OktaGroupType;
  sourceId?: string | null;
  /** Extra profile attributes (e.g. `samAccountName` of an APP_GROUP). */
  extra?: Record<string, unknown>;
}

/** Lifecycle operations a user in this status may go through (for the user's `_links`). */
export function lifecycleOperationsFrom(status: OktaUserStatus): LifecycleOperation[] {
  return (Object.keys(ALLOWED_FROM) as LifecycleOperation[]).filter((op) =>
    ALLOWED_FROM[op].includes(status),
  );
}

const REQUIRED_PROFILE = ['login', 'email', 'firstName', 'lastName'] as const;
const EMAIL_SHAPED = /^[^@\s]+@[^@\s]+$/;

const DEFAULT_SETTINGS: OktaStoreSettings = { activateWithoutPassword: 'PROVISIONED' };

/**
 * Apps take their ids from a sequence of their own, starting here, so adding apps never shifts the
 * ids later users and groups get (tests and the demo plan pin those). The id generator is a
 * bijection on the sequence number mod 2^32, so this half of the range never meets the other.
 */
export const APP_SEQ_BASE = 2 ** 31;

/**
 * The in-memory Okta org: users, groups and memberships, with the indexes the handlers need so that
 * every lookup is a Map hit and every page is a slice of a sorted id list.
 */
export class OktaStore {
  /** Milliseconds since the epoch; tests may pin it. */
  now: () => number = Date.now;
  readonly settings: OktaStoreSettings;
  readonly userTypeId: string;
  private readonly salt: number;
  private nextSeq: number;
  /** Times each user's sessions were revoked (DELETE /api/v1/users/:id/sessions), by user id. */
  readonly sessionRevocations = new Map<string, number>();
  private readonly userById = new Map<string, OktaUserRecord>();
  private readonly userByLogin = new Map<string, OktaUserRecord>();
  private readonly userIds = new SortedIds();
  private readonly groupById = new Map<string, OktaGroupRecord>();
  private readonly groupByName = new Map<string, OktaGroupRecord>();
  private readonly groupIds = new SortedIds();
  private readonly membersOf = new Map<string, SortedIds>();
  private readonly clients = new Map<string, OktaOAuthClient>();
  private nextAppSeq = APP_SEQ_BASE;
  /** The System Log: every mutation below appends to it, and so does the tenant API for sign-ins. */
  log: OktaSystemLog;
  /** MFA factors per user (UC-17); the tenant API enrols and resets them (factors.ts). */
  readonly factors: OktaFactorBook = new OktaFactorBook({
    requireUser: (idOrLogin) => this.requireUser(idOrLogin),
    now: () => this.now(),
    salt: () => this.salt,
    log: (event) => this.log.append(event),
  });
  private readonly appBook = new OktaAppBook({
    getUser: (id) => this.userById.get(id),
    getGroup: (id) => this.groupById.get(id),
    membersOf: (id) => this.membersOf.get(id),
  });

  constructor(options: { salt?: number; settings?: Partial<OktaStoreSettings>; userTypeId?: string } = {}) {
    this.salt = (options.salt ?? 1) >>> 0;
    this.nextSeq = 1;
    this.settings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.userTypeId = options.userTypeId ?? oktaId('oty', this.salt, 0);
    this.log = new OktaSystemLog(this.salt, () => this.now());
  }

  // ---- persistence ----------------------------------------------------------------------------

  toJSON(): OktaStoreData {
    const members: Record<string, string[]> = {};
    for (const [groupId, ids] of this.membersOf) members[groupId] = [...ids.list()];
    return {
      version: 1,
      salt: this.salt,
      nextSeq: this.nextSeq,
      settings: { ...this.settings },
      userTypeId: this.userTypeId,
      users: this.users().map((u) => ({ ...u, profile: { ...u.profile } })),
      groups: this.groups().map((g) => ({ ...g, profile: { ...g.profile } })),
      members,
      oauthClients: [...this.clients.values()].map((c) => ({
        ...c,
        scopes: [...c.scopes],
        publicKeys: [...c.publicKeys],
      })),
      apps: this.appBook.toJSON(),
      nextAppSeq: this.nextAppSeq,
      systemLog: this.log.toJSON(),
      factors: this.factors.toJSON(),
    };
  }

  /**
   * Rebuilds a store from `toJSON` output. With `adopt` the store takes the records as they are
   * instead of copying them (the seed does, at 100k users the copies cost noticeable time).
   */
  static fromJSON(data: OktaStoreData, options: { adopt?: boolean } = {}): OktaStore {
    if (data.version !== 1) throw new Error(`unsupported Okta store version ${String(data.version)}`);
    const store = new OktaStore({ salt: data.salt, settings: data.settings, userTypeId: data.userTypeId });
    store.nextSeq = data.nextSeq;
    const adopt = options.adopt ?? false;
    for (const u of data.users) store.indexUser(adopt ? u : { ...u, profile: { ...u.profile } });
    for (const g of data.groups) store.indexGroup(adopt ? g : { ...g, profile: { ...g.profile } });
    for (const [groupId, ids] of Object.entries(data.members)) {
      if (!store.groupById.has(groupId)) continue;
      const set = new SortedIds(ids.filter((id) => store.userById.has(id)));
      store.membersOf.set(groupId, set);
    }
    for (const c of data.oauthClients) store.clients.set(c.clientId, { ...c });
    store.appBook.load(data.apps ?? []);
    store.nextAppSeq = data.nextAppSeq ?? APP_SEQ_BASE + (data.apps?.length ?? 0);
    if (data.systemLog) store.log = new OktaSystemLog(store.salt, () => store.now(), data.systemLog);
    store.factors.load(data.factors);
    return store;
  }

  // ---- reads ----------------------------------------------------------------------------------

  /** All users (DEPROVISIONED included) in id order. */
  users(): OktaUserRecord[] {
    return this.userIds.list().map((id) => this.userById.get(id)!);
  }

  /** User ids in the order lists page in. Shared array: don't mutate. */
  sortedUserIds(): readonly string[] {
    return this.userIds.list();
  }

  userIndexAfter(cursor: string | undefined): number {
    return this.userIds.indexAfter(cursor);
  }

  getUser(id: string): OktaUserRecord | undefined {
    return this.userById.get(id);
  }

  /** Logins are case-insensitive in Okta. */
  findUserByLogin(login: string): OktaUserRecord | undefined {
    return this.userByLogin.get(login.toLowerCase());
  }

  /** The API accepts an id or a login wherever it takes a user id. */
  resolveUser(idOrLogin: string): OktaUserRecord | undefined {
    return this.userById.get(idOrLogin) ?? this.findUserByLogin(idOrLogin);
  }

  requireUser(idOrLogin: string): OktaUserRecord {
    const user = this.resolveUser(idOrLogin);
    if (!user) throw notFound(`${idOrLogin} (User)`);
    return user;
  }

  get userCount(): number {
    return this.userIds.size;
  }

  groups(): OktaGroupRecord[] {
    return this.groupIds.list().map((id) => this.groupById.get(id)!);
  }

  sortedGroupIds(): readonly string[] {
    return this.groupIds.list();
  }

  groupIndexAfter(cursor: string | undefined): number {
    return this.groupIds.indexAfter(cursor);
  }

  getGroup(id: string): OktaGroupRecord | undefined {
    return this.groupById.get(id);
  }

  findGroupByName(name: string): OktaGroupRecord | undefined {
    return this.groupByName.get(name.toLowerCase());
  }

  requireGroup(id: string): OktaGroupRecord {
    const group = this.groupById.get(id);
    if (!group) throw notFound(`${id} (UserGroup)`);
    return group;
  }

  /** Members of a group in id order. */
  members(groupId: string): OktaUserRecord[] {
    return this.memberIds(groupId).map((id) => this.userById.get(id)!);
  }

  /** Member ids in id order. Shared array: don't mutate. */
  memberIds(groupId: string): readonly string[] {
    return this.membersOf.get(groupId)?.list() ?? [];
  }

  memberIndexAfter(groupId: string, cursor: string | undefined): number {
    return this.membersOf.get(groupId)?.indexAfter(cursor) ?? 0;
  }

  memberCount(groupId: string): number {
    return this.membersOf.get(groupId)?.size ?? 0;
  }

  isMember(groupId: string, userId: string): boolean {
    return this.membersOf.get(groupId)?.has(userId) ?? false;
  }

  /** Groups of a user in id order. */
  groupsOfUser(userId: string): OktaGroupRecord[] {
    // Orgs have few groups and many users: asking each group is cheaper than a reverse index of
    // 100k sets that the seed would have to build.
    return this.groups().filter((g) => this.membersOf.get(g.id)?.has(userId));
  }

  oauthClient(clientId: string): OktaOAuthClient | undefined {
    return this.clients.get(clientId);
  }

  // ---- users ----------------------------------------------------------------------------------

  createUser(input: NewUser): OktaUserRecord {
    const profile = this.checkProfile(input.profile, true);
    if (this.findUserByLogin(profile.login)) throw alreadyExists('login');
    const groups = (input.groupIds ?? []).map((id) => {
      const group = this.groupById.get(id);
      if (!group) throw validationFailed('groupIds', `groupIds: Group ${id} does not exist`);
      if (group.type !== 'OKTA_GROUP') throw membershipRefused(group);
      return group;
    });
    const now = this.iso();
    const password = input.password ?? false;
    const status: OktaUserStatus = !input.activate
      ? 'STAGED'
      : password
        ? 'ACTIVE'
        : this.settings.activateWithoutPassword;
    const user: OktaUserRecord = {
      id: this.newId('00u'),
      status,
      created: now,
      activated: input.activate ? now : null,
      statusChanged: input.activate ? now : null,
      lastLogin: null,
      lastUpdated: now,
      passwordChanged: password ? now : null,
      typeId: input.typeId ?? this.userTypeId,
      profile,
      hasPassword: password,
    };
    this.indexUser(user);
    const everyone = this.everyone();
    if (everyone) this.link(everyone, user.id);
    for (const group of groups) this.link(group, user.id);
    this.logUser('user.lifecycle.create', 'Create okta user', user);
    return user;
  }

  /** POST semantics: only the given profile attributes change. PUT (`replace`) swaps the whole profile. */
  updateUser(
    idOrLogin: string,
    change: { profile?: Record<string, unknown>; password?: boolean },
    replace = false,
  ): OktaUserRecord {
    const user = this.requireUser(idOrLogin);
    if (change.profile !== undefined) {
      const merged = replace ? change.profile : { ...user.profile, ...change.profile };
      const profile = this.checkProfile(merged, replace);
      const oldKey = user.profile.login.toLowerCase();
      const newKey = profile.login.toLowerCase();
      if (newKey !== oldKey) {
        if (this.userByLogin.has(newKey)) throw alreadyExists('login');
        this.userByLogin.delete(oldKey);
        this.userByLogin.set(newKey, user);
      }
      user.profile = profile;
    }
    if (change.password) {
      user.hasPassword = true;
      user.passwordChanged = this.iso();
    }
    user.lastUpdated = this.iso();
    this.logUser('user.account.update_profile', 'Update user profile for Okta', user);
    return user;
  }

  /** Applies a lifecycle operation, or throws E0000001 when the user's status doesn't allow it. */
  transition(idOrLogin: string, operation: LifecycleOperation): OktaUserRecord {
    const user = this.requireUser(idOrLogin);
    if (!ALLOWED_FROM[operation].includes(user.status)) throw invalidTransition(operation, user.status);
    const next: OktaUserStatus =
      operation === 'activate'
        ? user.hasPassword
          ? 'ACTIVE'
          : this.settings.activateWithoutPassword
        : operation === 'deactivate'
          ? 'DEPROVISIONED'
          : operation === 'suspend'
            ? 'SUSPENDED'
            : operation === 'reactivate'
              ? user.status === 'RECOVERY'
                ? 'PROVISIONED'
                : user.status
              : 'ACTIVE';
    const now = this.iso();
    if (operation === 'activate') user.activated = now;
    if (next !== user.status) user.statusChanged = now;
    user.status = next;
    user.lastUpdated = now;
    // Okta unassigns a deactivated user's apps; group assignments return with reactivation.
    if (next === 'DEPROVISIONED') this.appBook.forgetUser(user.id);
    this.logUser(
      `user.lifecycle.${operation}`,
      `${operation[0]!.toUpperCase()}${operation.slice(1)} Okta user`,
      user,
    );
    return user;
  }

  /** Ends every session of the user; there is no session state to change, so it is counted. */
  revokeSessions(idOrLogin: string): void {
    const user = this.requireUser(idOrLogin);
    this.sessionRevocations.set(user.id, (this.sessionRevocations.get(user.id) ?? 0) + 1);
  }

  /** Okta's two-step delete: a user that isn't DEPROVISIONED is only deactivated. */
  deleteUser(idOrLogin: string): 'deactivated' | 'deleted' {
    const user = this.requireUser(idOrLogin);
    if (user.status !== 'DEPROVISIONED') {
      this.transition(user.id, 'deactivate');
      return 'deactivated';
    }
    for (const [groupId, members] of this.membersOf) {
      if (members.delete(user.id)) this.groupById.get(groupId)!.lastMembershipUpdated = this.iso();
    }
    this.appBook.forgetUser(user.id);
    this.userById.delete(user.id);
    this.userByLogin.delete(user.profile.login.toLowerCase());
    this.userIds.delete(user.id);
    this.factors.forgetUser(user.id);
    this.logUser('user.lifecycle.delete.completed', 'Delete Okta user completed', user);
    return 'deleted';
  }

  /**
   * Sets a status directly, for statuses no API call produces (LOCKED_OUT after failed sign-ins,
   * PASSWORD_EXPIRED, RECOVERY): tests and demo situations use it.
   */
  setStatus(idOrLogin: string, status: OktaUserStatus): OktaUserRecord {
    const user = this.requireUser(idOrLogin);
    const now = this.iso();
    if (user.status !== status) user.statusChanged = now;
    user.status = status;
    user.lastUpdated = now;
    return user;
  }

  // ---- groups ---------------------------------------------------------------------------------

  createGroup(input: NewGroup): OktaGroupRecord {
    const name = this.checkGroupName(input.name, undefined);
    const now = this.iso();
    const group: OktaGroupRecord = {
      id: this.newId('00g'),
      type: input.type ?? 'OKTA_GROUP',
      created: now,
      lastUpdated: now,
      lastMembershipUpdated: now,
      profile: { ...input.extra, name, description: input.description ?? null },
      sourceId: input.sourceId ?? null,
    };
    this.indexGroup(group);
    return group;
  }

  updateGroup(groupId: string, profile: Partial<OktaGroupProfile>): OktaGroupRecord {
    const group = this.requireGroup(groupId);
    if (group.type !== 'OKTA_GROUP') throw accessDenied(`Cannot modify the profile of a ${group.type} group`);
    const name = this.checkGroupName(profile.name ?? '', group.id);
    this.groupByName.delete(group.profile.name.toLowerCase());
    group.profile = { ...profile, name, description: profile.description ?? null };
    this.groupByName.set(name.toLowerCase(), group);
    group.lastUpdated = this.iso();
    return group;
  }

  deleteGroup(groupId: string): void {
    const group = this.requireGroup(groupId);
    if (group.type !== 'OKTA_GROUP') throw accessDenied(`Cannot delete a ${group.type} group`);
    this.appBook.forgetGroup(groupId);
    this.membersOf.delete(groupId);
    this.groupById.delete(groupId);
    this.groupByName.delete(group.profile.name.toLowerCase());
    this.groupIds.delete(groupId);
  }

  /**
   * Adds a member. Only OKTA_GROUP memberships can be changed through the API; `force` is for the
   * seed and for tests that stand in for an app or directory import.
   */
  addMember(groupId: string, userId: string, options: { force?: boolean } = {}): void {
    const group = this.requireGroup(groupId);
    const user = this.requireUser(userId);
    if (!options.force && group.type !== 'OKTA_GROUP') throw membershipRefused(group);
    if (this.isMember(group.id, user.id)) return;
    this.link(group, user.id);
    this.logMembership('group.user_membership.add', 'Add user to group membership', user, group);
  }

  removeMember(groupId: string, userId: string, options: { force?: boolean } = {}): void {
    const group = this.requireGroup(groupId);
    const user = this.requireUser(userId);
    if (!options.force && group.type !== 'OKTA_GROUP') throw membershipRefused(group);
    if (this.membersOf.get(group.id)?.delete(user.id)) {
      group.lastMembershipUpdated = this.iso();
      this.logMembership('group.user_membership.remove', 'Remove user from group membership', user, group);
    }
  }

  // ---- apps and their assignments (also the tenant API tests edit the org with) ----------------

  createApp(input: NewApp): OktaAppRecord {
    const name = input.name.trim();
    const label = input.label.trim();
    if (!name) throw leftBlank('name');
    if (!label) throw leftBlank('label');
    const now = this.iso();
    return this.appBook.add({
      id: oktaId('0oa', this.salt, this.nextAppSeq++),
      name,
      label,
      status: input.status ?? 'ACTIVE',
      created: now,
      lastUpdated: now,
      signOnMode: input.signOnMode ?? 'SAML_2_0',
    });
  }

  /** All apps in id order (the order the list pages in). */
  apps(): OktaAppRecord[] {
    return this.appBook.sortedIds().map((id) => this.appBook.get(id)!);
  }

  getApp(id: string): OktaAppRecord | undefined {
    return this.appBook.get(id);
  }

  requireApp(id: string): OktaAppRecord {
    const app = this.appBook.get(id);
    if (!app) throw notFound(`${id} (AppInstance)`);
    return app;
  }

  /** Apps whose label is `label`, ignoring case (labels need not be unique). */
  findAppsByLabel(label: string): OktaAppRecord[] {
    const key = label.toLowerCase();
    return this.apps().filter((a) => a.label.toLowerCase() === key);
  }

  setAppStatus(appId: string, status: OktaAppStatus): OktaAppRecord {
    const app = this.requireApp(appId);
    if (app.status !== status) {
      app.status = status;
      app.lastUpdated = this.iso();
    }
    return app;
  }

  /**
   * A direct (scope USER) assignment. UNCONFIRMED: how Okta refuses a DEPROVISIONED user; it
   * removes their assignments, so we refuse with E0000001 rather than store one nobody sees.
   */
  assignUserToApp(appId: string, userIdOrLogin: string): OktaAppUserGrant {
    this.requireApp(appId);
    const user = this.requireUser(userIdOrLogin);
    if (user.status === 'DEPROVISIONED') {
      throw validationFailed('status', `Cannot assign an app to a user whose status is ${user.status}`);
    }
    return this.appBook.assignUser(appId, user.id, this.iso());
  }

  /** Removes the direct assignment only; the app stays while a group gives it. */
  unassignUserFromApp(appId: string, userIdOrLogin: string): void {
    this.requireApp(appId);
    this.appBook.unassignUser(appId, this.requireUser(userIdOrLogin).id);
  }

  /** Members of the group (any type, Everyone too) get the app with scope GROUP, as long as they are members. */
  assignGroupToApp(appId: string, groupId: string): OktaAppGroupGrant {
    this.requireApp(appId);
    return this.appBook.assignGroup(appId, this.requireGroup(groupId).id, this.iso());
  }

  unassignGroupFromApp(appId: string, groupId: string): void {
    this.requireApp(appId);
    this.appBook.unassignGroup(appId, this.requireGroup(groupId).id);
  }

  /** Group assignments of an app in priority order. */
  appGroupGrants(appId: string): readonly OktaAppGroupGrant[] {
    return this.appBook.groupGrants(this.requireApp(appId).id);
  }

  /** How a user has an app (direct wins over groups), whatever their status; undefined if not at all. */
  appAssignment(appId: string, userIdOrLogin: string): AppAssignment | undefined {
    const user = this.resolveUser(userIdOrLogin);
    return user && this.appBook.assignment(appId, user.id);
  }

  /** Ids of the users the app's user list shows (DEPROVISIONED users left out), in id order. */
  appUserIds(appId: string): string[] {
    this.requireApp(appId);
    const out: string[] = [];
    for (const id of this.appBook.assignedIdsAfter(appId, undefined)) {
      if (this.userById.get(id)?.status !== 'DEPROVISIONED') out.push(id);
    }
    return out;
  }

  /** @internal Paging for the handlers: ids of users who have the app, ascending, after `cursor`. */
  appAssigneeIdsAfter(appId: string, cursor: string | undefined): Iterable<string> {
    return this.appBook.assignedIdsAfter(appId, cursor);
  }

  sortedAppIds(): readonly string[] {
    return this.appBook.sortedIds();
  }

  appIndexAfter(cursor: string | undefined): number {
    return this.appBook.indexAfter(cursor);
  }

  /** Number of apps assigned to a group (its `appsCount` stat). */
  appCountOfGroup(groupId: string): number {
    return this.appBook.appsOfGroup(groupId);
  }

  // ---- System Log: what tests record (the tenant API), and what the mutations above append -----

  /** A sign-in to Okta (`user.session.start`), successful or not; a success sets `lastLogin`. */
  recordSignIn(
    login: string,
    options: { success?: boolean; reason?: string; ipAddress?: string; userAgent?: string } = {},
  ): OktaLogEvent {
    const user = this.requireUser(login);
    const success = options.success ?? true;
    if (success) user.lastLogin = this.iso();
    return this.log.append({
      eventType: 'user.session.start',
      displayMessage: 'User login to Okta',
      actor: userActor(user),
      outcome: success ? 'SUCCESS' : 'FAILURE',
      reason: success ? null : (options.reason ?? 'INVALID_CREDENTIALS'),
      ...(options.ipAddress !== undefined ? { ipAddress: options.ipAddress } : {}),
      ...(options.userAgent !== undefined ? { userAgent: options.userAgent } : {}),
      target: [],
    });
  }

  /** An admin reset every factor of the user (`user.mfa.factor.reset_all`). */
  recordFactorReset(login: string, by?: string): OktaLogEvent {
    const user = this.requireUser(login);
    return this.log.append({
      eventType: 'user.mfa.factor.reset_all',
      displayMessage: 'Reset all factors for user',
      actor: by ? userActor(this.requireUser(by)) : API_ACTOR,
      target: [userActor(user)],
    });
  }

  /** An MFA challenge bypassed for the user (`user.mfa.attempt_bypass`). */
  recordMfaBypass(login: string): OktaLogEvent {
    const user = this.requireUser(login);
    return this.log.append({
      eventType: 'user.mfa.attempt_bypass',
      displayMessage: 'Attempt bypass of user multifactor authentication',
      actor: userActor(user),
      target: [userActor(user)],
      severity: 'WARN',
    });
  }

  /** An admin role granted to the user (`user.account.privilege.grant`); nothing else changes. */
  grantAdminRole(login: string, role = 'SUPER_ADMIN', by?: string): OktaLogEvent {
    const user = this.requireUser(login);
    return this.log.append({
      eventType: 'user.account.privilege.grant',
      displayMessage: 'Grant user privilege',
      actor: by ? userActor(this.requireUser(by)) : API_ACTOR,
      target: [userActor(user)],
      debugData: { privilegeGranted: role },
    });
  }

  /** Any other event, as the caller describes it. */
  appendLogEvent(input: NewLogEvent): OktaLogEvent {
    return this.log.append(input);
  }

  private logUser(eventType: string, displayMessage: string, user: OktaUserRecord): void {
    this.log.append({ eventType, displayMessage, actor: API_ACTOR, target: [userActor(user)] });
  }

  private logMembership(
    eventType: string,
    displayMessage: string,
    user: OktaUserRecord,
    group: OktaGroupRecord,
  ): void {
    this.log.append({
      eventType,
      displayMessage,
      actor: API_ACTOR,
      target: [
        userActor(user),
        { id: group.id, type: 'UserGroup', alternateId: 'unknown', displayName: group.profile.name },
      ],
    });
  }

  // ---- OAuth service apps ---------------------------------------------------------------------

  registerOAuthClient(client: {
    clientId?: string;
    scopes?: string[];
    publicKeys?: Record<string, unknown>[];
  }): OktaOAuthClient {
    const registered: OktaOAuthClient = {
      clientId: client.clientId ?? this.newId('0oa'),
      scopes: client.scopes ?? [...ALL_SCOPES],
      publicKeys: client.publicKeys ?? [],
    };
    this.clients.set(registered.clientId, registered);
    return registered;
  }

  // ---- internals ------------------------------------------------------------------------------

  /** The BUILT_IN group every user belongs to. */
  everyone(): OktaGroupRecord | undefined {
    const group = this.groupByName.get('everyone');
    return group?.type === 'BUILT_IN' ? group : undefined;
  }

  /** `group` is a stored group, so `indexGroup` has given it a member set. */
  private link(group: OktaGroupRecord, userId: string): void {
    if (this.membersOf.get(group.id)!.add(userId)) group.lastMembershipUpdated = this.iso();
  }

  private indexUser(user: OktaUserRecord): void {
    this.userById.set(user.id, user);
    this.userByLogin.set(user.profile.login.toLowerCase(), user);
    this.userIds.add(user.id);
  }

  private indexGroup(group: OktaGroupRecord): void {
    this.groupById.set(group.id, group);
    this.groupByName.set(group.profile.name.toLowerCase(), group);
    this.groupIds.add(group.id);
    if (!this.membersOf.has(group.id)) this.membersOf.set(group.id, new SortedIds());
  }

  /** The trimmed name, when it is not blank and no group but `selfId` holds it. */
  private checkGroupName(raw: string, selfId: string | undefined): string {
    const name = raw.trim();
    if (!name) throw leftBlank('name');
    const other = this.groupByName.get(name.toLowerCase());
    if (other && other.id !== selfId) throw alreadyExists('name');
    return name;
  }

  private checkProfile(profile: Record<string, unknown>, requireAll: boolean): OktaUserProfile {
    const causes: string[] = [];
    for (const field of REQUIRED_PROFILE) {
      const value = profile[field];
      if ((requireAll || field in profile) && (typeof value !== 'string' || value.trim() === '')) {
        causes.push(`${field}: The field cannot be left blank`);
      }
    }
    if (typeof profile.login === 'string' && profile.login && !EMAIL_SHAPED.test(profile.login)) {
      causes.push('login: Username must be in the form of an email address');
    }
    if (typeof profile.email === 'string' && profile.email && !EMAIL_SHAPED.test(profile.email)) {
      causes.push('email: Does not match required pattern');
    }
    if (causes.length > 0) {
      // eslint-disable-next-line no-restricted-syntax -- at most one cause per profile field checked above (a handful)
      throw validationFailed(causes.map((c) => c.split(':')[0]).join(', '), ...causes);
    }
    return profile as OktaUserProfile;
  }

  private newId(prefix: '00u' | '00g' | '0oa'): string {
    return oktaId(prefix, this.salt, this.nextSeq++);
  }

  /** Okta timestamps are ISO 8601 with milliseconds. */
  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

/** A user as a System Log actor or target. */
const userActor = (user: OktaUserRecord) => ({
  id: user.id,
  type: 'User',
  alternateId: user.profile.login,
  displayName:
    [user.profile.firstName, user.profile.lastName].filter(Boolean).join(' ') || user.profile.login,
});

export const ALL_SCOPES = [
  'okta.users.read',
  'okta.users.manage',
  'okta.groups.read',
  'okta.groups.manage',
  'okta.apps.read',
  'okta.apps.manage',
];

/**
 * UNCONFIRMED: the reference only says membership changes work for OKTA_GROUP only. We answer like
 * a permission failure, 403 E0000006, because the app (APP_GROUP) or Okta (BUILT_IN) owns them.
 */
function membershipRefused(group: OktaGroupRecord): OktaError {
  return accessDenied(
    `Memberships of ${group.type} group ${group.profile.name} can't be changed through the API`,
  );
}
