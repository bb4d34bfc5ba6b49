import type { OneLoginApp, OneLoginRole } from './types.js';

/**
 * Apps and who has them. OneLogin grants an app through roles (`role.apps`) and, less often, to a
 * user directly; a user has the app if either says so. The union is computed from the roles'
 * member lists when first asked for and cached until anything it depends on changes (the store
 * calls `changed()`), so paging through a big app costs one union, not one per page.
 */

/** An app as persisted: the direct assignments ride along. */
export type OneLoginAppData = OneLoginApp & { user_ids: number[] };

/** What the book reads from the store it belongs to. */
export interface AppDirectory {
  roleIds(): readonly number[];
  roleRef(id: number): OneLoginRole | undefined;
  roleMemberIds(roleId: number): readonly number[];
}

export class OneLoginAppBook {
  private readonly byId = new Map<number, OneLoginApp>();
  private readonly direct = new Map<number, Set<number>>();
  private order: number[] | undefined;
  private readonly assignees = new Map<number, number[]>();

  constructor(private readonly directory: AppDirectory) {}

  /** Role membership, role apps or direct assignments changed: forget the cached unions. */
  changed(): void {
    this.assignees.clear();
  }

  add(app: OneLoginApp, userIds: Iterable<number> = []): void {
    this.byId.set(app.id, app);
    this.direct.set(app.id, new Set(userIds));
    this.order = undefined;
    this.changed();
  }

  get(id: number): OneLoginApp | undefined {
    return this.byId.get(id);
  }

  /** App ids ascending (ids only grow, so insertion order is id order after a sorted load). */
  ids(): readonly number[] {
    this.order ??= [...this.byId.keys()].sort((a, b) => a - b);
    return this.order;
  }

  assignUser(appId: number, userId: number): void {
    this.direct.get(appId)!.add(userId);
    this.changed();
  }

  unassignUser(appId: number, userId: number): void {
    if (this.direct.get(appId)!.delete(userId)) this.changed();
  }

  forgetUser(userId: number): void {
    for (const users of this.direct.values()) users.delete(userId);
    this.changed();
  }

  /** Ids of the users who have the app, directly or through a role, ascending. Shared: don't mutate. */
  userIds(appId: number): readonly number[] {
    let ids = this.assignees.get(appId);
    if (!ids) {
      const all = new Set(this.direct.get(appId) ?? []);
      for (const roleId of this.directory.roleIds()) {
        if (!this.directory.roleRef(roleId)!.apps.includes(appId)) continue;
        for (const userId of this.directory.roleMemberIds(roleId)) all.add(userId);
      }
      ids = [...all].sort((a, b) => a - b);
      this.assignees.set(appId, ids);
    }
    return ids;
  }

  toJSON(): OneLoginAppData[] {
    return this.ids().map((id) => ({
      ...structuredClone(this.byId.get(id)!),
      user_ids: [...this.direct.get(id)!].sort((a, b) => a - b),
    }));
  }
}
