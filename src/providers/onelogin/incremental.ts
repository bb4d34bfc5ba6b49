import type { AccountFactors } from '../../model/snapshot.js';
import type { EventPosition } from '../event-source.js';
import type { WireUser } from './attributes.js';
import { parseDevices } from './devices.js';
import { parsePosition } from './event-feed.js';

/**
 * What a OneLogin read leaves for the next one (kept in the snapshot cache,
 * providers/snapshot-cache.ts): the user rows as OneLogin returned them (the fields the account
 * mapping reads, `USER_FIELDS`) and the newest `updated_at` among them. No token, no secret.
 *
 * The next read then costs, on an unchanged account:
 *   users:  1 call (`updated_since=<cursor − margin>`, 100 a page) plus 1 for the count
 *           (`limit=1&fields=id`, whose `Total-Count` header is the number of users)
 *   events: 1 call (`GET /api/1/events` from the cached position, 50 a page; event-feed.ts)
 *   roles:  the role lookup (1 call), and the member list only of roles that a membership event
 *           (72, 73) names, that are new to the cache, or that every role needs (see below)
 *   devices (UC-17, only with an mfa condition on OneLogin people): only users a device event
 *           (23, 24) names, and users the cache does not hold
 *   apps:   as a full read
 *
 * Why this sees every change to users:
 *   - a create, a field edit and a status or state change all set `updated_at`
 *     (platform-apis.md §2: `updated_since/until` is a documented filter of `GET /api/2/users`).
 *   - a delete (`DELETE /api/2/users/{id}`) leaves nothing to filter, so the merged count is
 *     compared with `Total-Count`; any difference reads everything.
 *
 * Role membership is NOT taken from `updated_since`: whether adding or removing a role member sets
 * the user's `updated_at` is UNCONFIRMED in the vendor documentation (the sandbox does set it).
 * It is taken from the events instead: each cached role keeps its member ids, and only the roles
 * named by a role assigned/removed event (72, 73) since the cached position are read again; a
 * deleted user is dropped from the cached lists (deleting a user leaves no membership event).
 * Any doubt reads every member list: no cached position or roles, the events read fails, a gap
 * (the log no longer holds the event the last pull ended on), a membership event without a
 * role, or a users cursor gap (a restored account; devices are then all read again too). UNCONFIRMED: that OneLogin logs 72/73 for every membership change (mappings and rules
 * too); the full read that `settings.fullResyncHours` forces catches what it does not.
 */

export const CURSOR_MARGIN_MS = 5 * 60_000;
export const BASE_VERSION = 1;

export interface OneLoginSnapshotBase {
  version: typeof BASE_VERSION;
  /** The newest `updated_at` among the users read (OneLogin's clock). */
  usersCursor: string;
  /** Every user, by id. */
  users: WireUser[];
  /** Where the next events pull starts (event-feed.ts); absent: roles and devices are read in full. */
  events?: EventPosition;
  /** The roles read, with their member ids as read (or kept), current to `events`. */
  roles?: CachedRole[];
  /** MFA devices by user id (UC-17), current to `events`; absent: not read. */
  devices?: Record<string, AccountFactors>;
}

export interface CachedRole {
  id: number;
  name: string;
  memberIds: string[];
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
  // What depends on the events position goes with it; a malformed part only costs its own full read.
  const base = value as unknown as OneLoginSnapshotBase;
  const events = base.events === undefined ? undefined : parsePosition(base.events);
  const roles = events && base.roles !== undefined ? parseRoles(base.roles) : undefined;
  const devices = events && base.devices !== undefined ? parseDevices(base.devices) : undefined;
  const { events: _e, roles: _r, devices: _d, ...rest } = base;
  return {
    ...rest,
    ...(events ? { events } : {}),
    ...(roles ? { roles } : {}),
    ...(devices ? { devices } : {}),
  };
}

function parseRoles(value: unknown): CachedRole[] | undefined {
  if (!Array.isArray(value)) return undefined;
  for (const r of value as unknown[]) {
    if (!isRecord(r) || !Number.isSafeInteger(r.id) || typeof r.name !== 'string') return undefined;
    if (!Array.isArray(r.memberIds) || !r.memberIds.every((m) => typeof m === 'string')) return undefined;
  }
  return value as CachedRole[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
