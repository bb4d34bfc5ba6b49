import type { SnapshotScope } from '../../model/snapshot.js';
import { parseFactorBase, type OktaFactorBase } from './factors.js';
import { isoTime, type OktaGroupLike, type OktaUserLike } from './map-user.js';

/**
 * What an Okta read leaves for the next one (kept in the snapshot cache, providers/snapshot-cache.ts),
 * and the rules for trusting it. Only what a snapshot already holds: the users' profiles and
 * statuses, and the member ids of the groups the scope names, each with the server-side time it was
 * last seen to move. No token, no secret.
 *
 * The next read then costs, on an unchanged org:
 *   group lookup:  ceil((names + 1) / 20) searches (Everyone rides along, with `expand=stats`)
 *   users:         1 call (`filter=lastUpdated gt "<cursor − margin>"`, 200 a page)
 *   members:       none; a group is re-read only when its `lastMembershipUpdated` moved
 *   apps:          as a full read (app assignments carry no usable change time here)
 *
 * Why this sees every change (platform-apis.md §1.2):
 *   - a profile edit, a status change (deactivate, suspend, ...) and a create all set the user's
 *     `lastUpdated`; `filter` (unlike a plain list) includes DEPROVISIONED users.
 *   - a membership change sets the group's `lastMembershipUpdated`.
 *   - a hard delete (only of a DEPROVISIONED user) leaves no user to filter, so the built-in
 *     Everyone group's `usersCount` is compared with the merged user count; any difference reads
 *     everything again. Deleting a user also moves the `lastMembershipUpdated` of its groups.
 *     UNCONFIRMED against a real org: that Everyone's `usersCount` counts DEPROVISIONED users too
 *     (the sandbox does, since deactivation keeps memberships). If a real org counts otherwise the
 *     check fails every time and every read is full: slower, never wrong.
 */

export const EVERYONE = 'everyone';
export const EVERYONE_NAME = 'Everyone';

/**
 * The cursor is the newest `lastUpdated` the org itself reported (never the local clock), less
 * this margin: writes that commit out of timestamp order, and the second in which the previous
 * read ran, are read again rather than missed.
 */
export const CURSOR_MARGIN_MS = 5 * 60_000;

export const BASE_VERSION = 1;

/** A user as the cache keeps it: the fields the account mapping reads. */
export interface CachedOktaUser {
  id: string;
  status: string;
  lastUpdated: string;
  profile: Record<string, unknown>;
}

export interface OktaSnapshotBase {
  version: typeof BASE_VERSION;
  /** The newest `lastUpdated` among the users read (Okta's clock). */
  usersCursor: string;
  /** Whether deprovisioned users were read (the merge needs every user: see the count check). */
  includeDeprovisioned: boolean;
  /** Every user, in snapshot order. */
  users: CachedOktaUser[];
  /** Member ids per group id, with the `lastMembershipUpdated` they were read at. */
  groups: Record<string, { lastMembershipUpdated: string; memberIds: string[] }>;
  /** MFA factors by user id and the System Log position they are current to (factors.ts); absent: not read. */
  factors?: OktaFactorBase;
}

/** Why `base` cannot be built on for this scope, or undefined when it can. */
export function incrementalDoubt(scope: SnapshotScope, base: OktaSnapshotBase): string | undefined {
  if (!scope.includeDeprovisioned)
    return 'without deprovisioned users a hard delete cannot be told from a deactivation';
  if (scope.allGroups) return 'every group is read (import)';
  if (!base.includeDeprovisioned) return 'the cached read left deprovisioned users out';
  if (!isTime(base.usersCursor)) return 'the cache has no user cursor';
  return undefined;
}

/** `lastUpdated gt` this: the cursor less the margin. */
export const deltaSince = (base: OktaSnapshotBase): string =>
  new Date(Date.parse(base.usersCursor) - CURSOR_MARGIN_MS).toISOString();

/**
 * The cached members of `group` when its `lastMembershipUpdated` has not moved since they were
 * read and lies outside the margin of the cursor; undefined: read them again.
 */
export function reusableMembers(base: OktaSnapshotBase, group: OktaGroupLike): string[] | undefined {
  const cached = group.id ? base.groups[group.id] : undefined;
  const moved = isoTime((group as { lastMembershipUpdated?: unknown }).lastMembershipUpdated);
  if (!cached || moved === undefined || moved !== cached.lastMembershipUpdated) return undefined;
  if (Date.parse(moved) > Date.parse(base.usersCursor) - CURSOR_MARGIN_MS) return undefined;
  return cached.memberIds;
}

/** Everyone's `_embedded.stats.usersCount` (`expand=stats`). */
export function usersCountOf(group: OktaGroupLike | undefined): number | undefined {
  const stats = (group as { _embedded?: { stats?: { usersCount?: unknown } } } | undefined)?._embedded?.stats;
  const count = stats?.usersCount;
  return typeof count === 'number' && Number.isSafeInteger(count) ? count : undefined;
}

/**
 * Users in one fixed order, whichever way they were read: everyone not deprovisioned, then the
 * deprovisioned, each by id (the order a full read's two lists return them in).
 */
export function canonicalOrder<T extends OktaUserLike>(users: T[]): T[] {
  const byId = (a: T, b: T) => (a.id! < b.id! ? -1 : a.id! > b.id! ? 1 : 0);
  const live = users.filter((u) => u.status !== 'DEPROVISIONED').sort(byId);
  const gone = users.filter((u) => u.status === 'DEPROVISIONED').sort(byId);
  return live.concat(gone);
}

/**
 * What the next read may start from, or undefined when a field it relies on is missing (a user
 * without `lastUpdated`, a group without `lastMembershipUpdated`): the next read is then full.
 */
export function nextBase(
  scope: SnapshotScope,
  users: OktaUserLike[],
  groups: { group: OktaGroupLike; memberIds: string[] }[],
): OktaSnapshotBase | undefined {
  if (!scope.includeDeprovisioned || scope.allGroups) return undefined;
  const cached: CachedOktaUser[] = [];
  let cursor = '';
  let newest = -Infinity;
  for (const u of users) {
    const lastUpdated = isoTime(u.lastUpdated);
    if (!u.id || lastUpdated === undefined) return undefined;
    const at = Date.parse(lastUpdated);
    if (at > newest) {
      newest = at;
      cursor = lastUpdated;
    }
    // Users come as `leanUser` keeps them (or from this cache): their profiles are plain already.
    cached.push({ id: u.id, status: u.status ?? '', lastUpdated, profile: u.profile ?? {} });
  }
  if (!cursor) return undefined;
  const byId: OktaSnapshotBase['groups'] = {};
  for (const { group, memberIds } of groups) {
    const moved = isoTime((group as { lastMembershipUpdated?: unknown }).lastMembershipUpdated);
    if (!group.id || moved === undefined) return undefined;
    byId[group.id] = { lastMembershipUpdated: moved, memberIds };
  }
  return {
    version: BASE_VERSION,
    usersCursor: cursor,
    includeDeprovisioned: true,
    users: cached,
    groups: byId,
  };
}

/** A base read back from disk, checked field by field; undefined when anything is off. */
export function parseBase(value: unknown): OktaSnapshotBase | undefined {
  if (!isRecord(value) || value.version !== BASE_VERSION) return undefined;
  if (!isTime(value.usersCursor) || value.includeDeprovisioned !== true) return undefined;
  if (!Array.isArray(value.users) || !isRecord(value.groups)) return undefined;
  for (const u of value.users as unknown[]) {
    if (!isRecord(u) || typeof u.id !== 'string' || typeof u.status !== 'string') return undefined;
    if (!isTime(u.lastUpdated) || !isRecord(u.profile)) return undefined;
  }
  for (const g of Object.values(value.groups)) {
    if (!isRecord(g) || !isTime(g.lastMembershipUpdated) || !Array.isArray(g.memberIds)) return undefined;
    if (!(g.memberIds as unknown[]).every((id) => typeof id === 'string')) return undefined;
  }
  // Malformed factors only cost a full factor read; the rest of the base still holds.
  if (value.factors !== undefined && !parseFactorBase(value.factors)) {
    const { factors: _dropped, ...rest } = value;
    return rest as unknown as OktaSnapshotBase;
  }
  return value as unknown as OktaSnapshotBase;
}

const isTime = (value: unknown): value is string => typeof value === 'string' && isoTime(value) !== undefined;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
