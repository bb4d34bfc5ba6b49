import type { EventType } from '../policy/types.js';
import type { EventPlatform } from '../providers/event-source.js';

export type { EventType } from '../policy/types.js';

/**
 * The one schema every pulled event is written in (UC-18), whatever platform it came from: one
 * JSON object per line of the sink. README "Login audit and security events" documents it.
 */

/** Someone or something an event names: who acted, or what was acted on. */
export interface EventParty {
  /** The platform's id (Okta `00u…`, OneLogin's number as a string). */
  id: string | null;
  /** `User`, `UserGroup`, `Role`, `AppInstance`, `System`, … as the platform says. */
  type: string | null;
  /** The login or username where the platform gives one. */
  login: string | null;
  /** The display name. */
  name: string | null;
}

export type EventOutcome = 'success' | 'failure' | 'unknown';

export interface NormalizedEvent {
  /** `<source>:<sourceId>`: unique across platforms, the key sinks deduplicate on. */
  id: string;
  source: EventPlatform;
  /** The source event's own id (Okta `uuid`, OneLogin `id`). */
  sourceId: string;
  /** The platform's own type (Okta `eventType`; OneLogin `event_type_id:<n>`). */
  sourceType: string;
  /** The normalised type (see EventType). */
  type: EventType;
  /** When it happened, ISO 8601 UTC (Okta `published`, OneLogin `created_at`). */
  time: string;
  outcome: EventOutcome;
  /** Why it failed, when the platform says. */
  reason: string | null;
  actor: EventParty;
  /** What it was done to: the user first, then a group, role or app. */
  target: EventParty[];
  client: { ip: string | null; userAgent: string | null };
  /** The platform's human-readable message. */
  message: string | null;
}

/** Every normalised type, for docs and validation. */
export const EVENT_TYPES: readonly EventType[] = [
  'auth.login',
  'auth.logout',
  'auth.mfa.bypass',
  'auth.factor.reset',
  'user.created',
  'user.updated',
  'user.activated',
  'user.deactivated',
  'user.suspended',
  'user.unsuspended',
  'user.deleted',
  'user.locked',
  'user.unlocked',
  'membership.added',
  'membership.removed',
  'admin.privilege.granted',
  'admin.privilege.revoked',
  'other',
];
