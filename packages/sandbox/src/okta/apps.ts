import { SortedIds } from './sorted-ids.js';
import type {
  OktaAppData,
  OktaAppGroupGrant,
  OktaAppRecord,
  OktaAppStatus,
  OktaAppUserGrant,
  OktaGroupRecord,
  OktaUserRecord,
} from './types.js';

/**
 * App instances and their assignments. Direct assignments (scope USER) are stored per app; group
 * assignments are stored as the group, and who they give the app to is read from the group's
 * members at read time, so a membership change shows in the app's users at once, as in Okta.
 */

export interface NewApp {
  name: string;
  label: string;
  status?: OktaAppStatus;
  /** @default 'SAML_2_0' */
  signOnMode?: string;
}

/** One row of `GET /api/v1/apps/:appId/users`: a user and how they got the app. */
export interface AppAssignment {
  /** The user id (an AppUser's id is its user's id). */
  id: string;
  user: OktaUserRecord;
  scope: 'USER' | 'GROUP';
  /** The group the app comes through, for scope GROUP. */
  group?: OktaGroupRecord;
  created: string;
  lastUpdated: string;
}

/** What the book reads from the store it belongs to. */
export interface AppDirectory {
  getUser(id: string): OktaUserRecord | undefined;
  getGroup(id: string): OktaGroupRecord | undefined;
  /** The members of a group, in id order. */
  membersOf(groupId: string): SortedIds | undefined;
}

interface AppEntry {
  app: OktaAppRecord;
  userIds: SortedIds;
  users: Map<string, OktaAppUserGrant>;
  /** In priority order. */
  groups: OktaAppGroupGrant[];
}

export class OktaAppBook {
  private readonly entries = new Map<string, AppEntry>();
  private readonly ids = new SortedIds();

  constructor(private readonly directory: AppDirectory) {}

  // ---- apps -----------------------------------------------------------------------------------

  add(app: OktaAppRecord): OktaAppRecord {
    this.entries.set(app.id, { app, userIds: new SortedIds(), users: new Map(), groups: [] });
    this.ids.add(app.id);
    return app;
  }

  get(id: string): OktaAppRecord | undefined {
    return this.entries.get(id)?.app;
  }

  /** App ids in the order the list pages in. Shared array: don't mutate. */
  sortedIds(): readonly string[] {
    return this.ids.list();
  }

  indexAfter(cursor: string | undefined): number {
    return this.ids.indexAfter(cursor);
  }

  // ---- assignments ----------------------------------------------------------------------------

  /** Assigning a user again keeps the first assignment (Okta answers with the existing AppUser). */
  assignUser(appId: string, userId: string, now: string): OktaAppUserGrant {
    const entry = this.entries.get(appId)!;
    let grant = entry.users.get(userId);
    if (!grant) {
      grant = { userId, created: now, lastUpdated: now };
      entry.users.set(userId, grant);
      entry.userIds.add(userId);
    }
    return grant;
  }

  unassignUser(appId: string, userId: string): boolean {
    const entry = this.entries.get(appId)!;
    entry.userIds.delete(userId);
    return entry.users.delete(userId);
  }

  assignGroup(appId: string, groupId: string, now: string): OktaAppGroupGrant {
    const entry = this.entries.get(appId)!;
    const existing = entry.groups.find((g) => g.groupId === groupId);
    if (existing) return existing;
    const grant = { groupId, priority: entry.groups.length, created: now, lastUpdated: now };
    entry.groups.push(grant);
    return grant;
  }

  unassignGroup(appId: string, groupId: string): boolean {
    const entry = this.entries.get(appId)!;
    const before = entry.groups.length;
    entry.groups = entry.groups.filter((g) => g.groupId !== groupId);
    entry.groups.forEach((g, i) => (g.priority = i));
    return entry.groups.length < before;
  }

  /** Group assignments of an app in priority order. */
  groupGrants(appId: string): readonly OktaAppGroupGrant[] {
    return this.entries.get(appId)?.groups ?? [];
  }

  /** Drops a user's direct assignments everywhere (deactivation and deletion do, in Okta). */
  forgetUser(userId: string): void {
    for (const entry of this.entries.values()) {
      if (entry.users.delete(userId)) entry.userIds.delete(userId);
    }
  }

  forgetGroup(groupId: string): void {
    for (const id of this.entries.keys()) this.unassignGroup(id, groupId);
  }

  /** Number of apps assigned to a group (the group's `appsCount` stat). */
  appsOfGroup(groupId: string): number {
    let n = 0;
    for (const entry of this.entries.values()) if (entry.groups.some((g) => g.groupId === groupId)) n++;
    return n;
  }

  /**
   * How a user has the app, whatever their status: a direct assignment wins over groups (Okta
   * shows such a user with scope USER), then the first assigned group that holds them.
   */
  assignment(appId: string, userId: string): AppAssignment | undefined {
    const entry = this.entries.get(appId);
    const user = this.directory.getUser(userId);
    if (!entry || !user) return undefined;
    const direct = entry.users.get(userId);
    if (direct)
      return { id: userId, user, scope: 'USER', created: direct.created, lastUpdated: direct.lastUpdated };
    for (const grant of entry.groups) {
      if (!this.directory.membersOf(grant.groupId)?.has(userId)) continue;
      const group = this.directory.getGroup(grant.groupId);
      return {
        id: userId,
        user,
        scope: 'GROUP',
        group,
        created: grant.created,
        lastUpdated: grant.lastUpdated,
      };
    }
    return undefined;
  }

  /**
   * Ids of every user who has the app, ascending and each once, starting after `cursor`: a merge
   * of the direct list and the assigned groups' member lists, each entered by binary search. So a
   * page costs about its length times the number of sources, however large the groups are.
   */
  *assignedIdsAfter(appId: string, cursor: string | undefined): Generator<string> {
    const entry = this.entries.get(appId);
    if (!entry) return;
    const lists: (readonly string[])[] = [entry.userIds.list()];
    const at: number[] = [entry.userIds.indexAfter(cursor)];
    for (const grant of entry.groups) {
      const members = this.directory.membersOf(grant.groupId);
      if (!members) continue;
      lists.push(members.list());
      at.push(members.indexAfter(cursor));
    }
    for (;;) {
      let min: string | undefined;
      for (let i = 0; i < lists.length; i++) {
        const id = lists[i]![at[i]!];
        if (id !== undefined && (min === undefined || id < min)) min = id;
      }
      if (min === undefined) return;
      for (let i = 0; i < lists.length; i++) if (lists[i]![at[i]!] === min) at[i] = at[i]! + 1;
      yield min;
    }
  }

  // ---- persistence ----------------------------------------------------------------------------

  toJSON(): OktaAppData[] {
    return this.ids.list().map((id) => {
      const entry = this.entries.get(id)!;
      return {
        ...entry.app,
        users: entry.userIds.list().map((u) => ({ ...entry.users.get(u)! })),
        groups: entry.groups.map((g) => ({ ...g })),
      };
    });
  }

  /** Loads persisted apps, dropping assignments of users and groups that no longer exist. */
  load(data: readonly OktaAppData[]): void {
    for (const { users, groups, ...app } of data) {
      this.add({ ...app });
      const entry = this.entries.get(app.id)!;
      for (const u of users) {
        if (!this.directory.getUser(u.userId)) continue;
        entry.users.set(u.userId, { ...u });
        entry.userIds.add(u.userId);
      }
      entry.groups = groups
        .filter((g) => this.directory.getGroup(g.groupId))
        .sort((a, b) => a.priority - b.priority)
        .map((g, i) => ({ ...g, priority: i }));
    }
  }
}
