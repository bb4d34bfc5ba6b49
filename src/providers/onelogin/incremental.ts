import type { WireUser } from './attributes.js';

/**
 * What a OneLogin read leaves for the next one (kept in the snapshot cache,
 * providers/snapshot-cache.ts): the user rows as OneLogin returned them (the fields the account
 * mapping reads, `USER_FIELDS`) and the newest `updated_at` among them. No token, no secret.
 *
 * The next read then costs, on an unchanged account:
 *   users:  1 call (`updated_since=<cursor − margin>`, 100 a page) plus 1 for the count
 *           (`limit=1&fields=id`, whose `Total-Count` header is the number of users)
 *   roles:  as a full read: the role lookup and every named role's member list, each time
 *   apps:   as a full read
 *
 * Why this sees every change to users:
 *   - a create, a field edit and a status or state change all set `updated_at`
 *     (platform-apis.md §2: `updated_since/until` is a documented filter of `GET /api/2/users`).
 *   - a delete (`DELETE /api/2/users/{id}`) leaves nothing to filter, so the merged count is
 *     compared with `Total-Count`; any difference reads everything.
 *
 * Role membership is NOT taken from `updated_since`: whether adding or removing a role member sets
 * the user's `updated_at` is UNCONFIRMED in the vendor documentation (the sandbox does set it), so
 * role member lists stay full reads (one call per role of up to 650 members). Taking membership
 * from OneLogin's events feed instead is not done yet.
 */

export const CURSOR_MARGIN_MS = 5 * 60_000;
export const BASE_VERSION = 1;

export interface OneLoginSnapshotBase {
  version: typeof BASE_VERSION;
  /** The newest `updated_at` among the users read (OneLogin's clock). */
  usersCursor: string;
  /** Every user, by id. */
  users: WireUser[];
}

const isTime = (value: unknown): value is string =>
  typeof value === 'string' && value !== '' && !Number.isNaN(Date.parse(value));

/** `updated_since` this: the cursor less the margin. */
export const deltaSince = (base: OneLoginSnapshotBase): string =>
  new Date(Date.parse(base.usersCursor) - CURSOR_MARGIN_MS).toISOString();

/** The newest `updated_at` of these users; undefined when one lacks it or there are none. */
export function newestUpdate(users: readonly WireUser[]): string | undefined {
  let best: string | undefined;
  let bestAt = -Infinity;
  for (const u of users) {
    if (!isTime(u.updated_at)) return undefined;
    const at = Date.parse(u.updated_at);
    if (at > bestAt) {
      bestAt = at;
      best = u.updated_at;
    }
  }
  return best;
}

/** Users in one fixed order, however they were read: by id. */
export const byId = (users: WireUser[]): WireUser[] => users.sort((a, b) => a.id - b.id);

/** A base read back from disk, checked field by field; undefined when anything is off. */
export function parseBase(value: unknown): OneLoginSnapshotBase | undefined {
  if (!isRecord(value) || value.version !== BASE_VERSION) return undefined;
  if (!isTime(value.usersCursor) || !Array.isArray(value.users)) return undefined;
  for (const u of value.users as unknown[]) {
    if (!isRecord(u) || !Number.isSafeInteger(u.id) || !isTime(u.updated_at)) return undefined;
    if (typeof u.status !== 'number' || typeof u.state !== 'number') return undefined;
  }
  return value as unknown as OneLoginSnapshotBase;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
