import type { EventPosition } from '../event-source.js';
import type { OneLoginClient } from './client.js';
import { EVENTS_PAGE, OneLoginEventSource } from './events.js';

/**
 * What OneLogin's events (API v1 `GET /api/1/events`, through events.ts's `OneLoginEventSource`)
 * say moved since the last snapshot, for what `updated_since` on users does not see: MFA devices
 * (UC-17, devices.ts) and role membership (roles are then re-read only where an event names them).
 *
 * One pull per snapshot serves both: from the cached position to the end of the log, one call per
 * 50 events (at least one). Event type ids are UNCONFIRMED (README "Events"): 23 OTP device
 * registered, 24 OTP device deregistered, 72 role assigned to user, 73 role removed from user.
 */

/** Events whose user's MFA devices are read again. */
export const DEVICE_EVENT_TYPES: ReadonlySet<number> = new Set([23, 24]);
/** Events whose role's member list is read again. */
export const MEMBERSHIP_EVENT_TYPES: ReadonlySet<number> = new Set([72, 73]);
/**
 * A first pull (no cached position) starts this long before the read: what it sees again of
 * changes the read itself reads costs a re-read once, never a miss.
 */
export const EVENTS_START_MARGIN_MS = 5 * 60_000;

export interface EventDelta {
  /** Where the next pull starts. */
  position: EventPosition;
  /** Users (ids as strings) a device event names. */
  deviceUsers: Set<string>;
  /** Roles (ids as strings) a membership event names. */
  roles: Set<string>;
  /** A membership event named no role: every role's members are read again. */
  anyRole: boolean;
  /** Calls the pull made. */
  calls: number;
}

interface EventLike {
  event_type_id?: unknown;
  user_id?: unknown;
  role_id?: unknown;
}

const idOf = (v: unknown): string | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v)
    ? String(v)
    : typeof v === 'string' && v !== ''
      ? v
      : undefined;

/**
 * Follows the events from `from` (or, without one, from `now − margin`) to the end. Throws when
 * the log can't be read or no longer holds where `from` stopped (a gap): the caller then reads in
 * full.
 */
export async function pullEvents(
  client: OneLoginClient,
  from: EventPosition | undefined,
  now: () => number = Date.now,
): Promise<EventDelta> {
  const source = new OneLoginEventSource(client);
  const since = new Date(now() - EVENTS_START_MARGIN_MS).toISOString();
  const deviceUsers = new Set<string>();
  const roles = new Set<string>();
  let anyRole = false;
  let position = from;
  let calls = 0;
  for (;;) {
    const page = await source.readPage(position, { since, limit: EVENTS_PAGE });
    if (calls === 0 && page.resumed === false)
      throw new Error(`cursor gap: the events no longer hold event ${String(from?.lastId)}`);
    calls++;
    for (const e of page.events as EventLike[]) {
      const type = typeof e.event_type_id === 'number' ? e.event_type_id : Number(e.event_type_id);
      if (DEVICE_EVENT_TYPES.has(type)) {
        const user = idOf(e.user_id);
        if (user) deviceUsers.add(user);
      } else if (MEMBERSHIP_EVENT_TYPES.has(type)) {
        const role = idOf(e.role_id);
        if (role) roles.add(role);
        else anyRole = true;
      }
    }
    position = page.position;
    if (!page.more) return { position, deviceUsers, roles, anyRole, calls };
  }
}

/** A cached events position read back from disk; undefined when anything is off. */
export function parsePosition(value: unknown): EventPosition | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  for (const v of Object.values(value)) if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  return value as EventPosition;
}

export const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!.slice(0, 200);
