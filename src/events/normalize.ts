import { isRecord } from '../model/json.js';
import type { EventPlatform } from '../providers/event-source.js';
import type { EventOutcome, EventParty, EventType, NormalizedEvent } from './schema.js';

/**
 * Platform events → the normalised schema (pure). Each platform's vocabulary is one table here;
 * an event type missing from it becomes `other`, with the platform's own type in `sourceType`.
 */

/** Okta System Log `eventType`s (developer.okta.com event types catalog). */
export const OKTA_EVENT_TYPES: Readonly<Record<string, EventType>> = {
  'user.session.start': 'auth.login',
  'user.session.end': 'auth.logout',
  'user.mfa.attempt_bypass': 'auth.mfa.bypass',
  'user.mfa.factor.reset_all': 'auth.factor.reset',
  'user.mfa.factor.deactivate': 'auth.factor.reset',
  'user.lifecycle.create': 'user.created',
  'user.account.update_profile': 'user.updated',
  'user.lifecycle.activate': 'user.activated',
  'user.lifecycle.reactivate': 'user.activated',
  'user.lifecycle.deactivate': 'user.deactivated',
  'user.lifecycle.suspend': 'user.suspended',
  'user.lifecycle.unsuspend': 'user.unsuspended',
  'user.lifecycle.delete.completed': 'user.deleted',
  'user.account.lock': 'user.locked',
  'user.account.unlock': 'user.unlocked',
  'user.lifecycle.unlock': 'user.unlocked',
  'group.user_membership.add': 'membership.added',
  'group.user_membership.remove': 'membership.removed',
  'user.account.privilege.grant': 'admin.privilege.granted',
  'user.account.privilege.revoke': 'admin.privilege.revoked',
  'group.privilege.grant': 'admin.privilege.granted',
  'group.privilege.revoke': 'admin.privilege.revoked',
};

/**
 * OneLogin `event_type_id`s. UNCONFIRMED: the numbers follow the sandbox's `GET /api/1/events/types`
 * (src/providers/onelogin/README.md); check them against your account's list.
 */
export const ONELOGIN_EVENT_TYPES: Readonly<Record<number, { type: EventType; outcome?: EventOutcome }>> = {
  5: { type: 'auth.login', outcome: 'success' },
  6: { type: 'auth.login', outcome: 'failure' },
  11: { type: 'user.updated' },
  13: { type: 'user.created' },
  17: { type: 'user.deleted' },
  // A device registered (UC-17 reads that user's devices again, providers/onelogin/event-feed.ts).
  // No normalised type for an enrolment yet, as for Okta's `user.mfa.factor.activate`: `other`.
  23: { type: 'other' },
  24: { type: 'auth.factor.reset' },
  72: { type: 'membership.added' },
  73: { type: 'membership.removed' },
  400: { type: 'admin.privilege.granted' },
  401: { type: 'admin.privilege.revoked' },
  901: { type: 'auth.mfa.bypass' },
};

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const idOf = (v: unknown): string | null =>
  typeof v === 'number' && Number.isFinite(v) ? String(v) : str(v);
const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

const party = (id: string | null, type: string | null, login: string | null, name: string | null) => ({
  id,
  type,
  login,
  name,
});

function oktaParty(v: unknown): EventParty {
  const p = rec(v);
  const alternate = str(p.alternateId);
  return party(
    str(p.id),
    str(p.type),
    alternate && alternate !== 'unknown' ? alternate : null,
    str(p.displayName),
  );
}

function oktaOutcome(result: unknown): EventOutcome {
  if (result === 'SUCCESS' || result === 'ALLOW') return 'success';
  if (result === 'FAILURE' || result === 'DENY') return 'failure';
  return 'unknown';
}

/** An Okta LogEvent; undefined when it lacks a `uuid` or a `published` time. */
export function fromOkta(raw: unknown): NormalizedEvent | undefined {
  const e = rec(raw);
  const uuid = str(e.uuid);
  const published = str(e.published);
  if (!uuid || !published) return undefined;
  const eventType = str(e.eventType) ?? 'unknown';
  const outcome = rec(e.outcome);
  const client = rec(e.client);
  return {
    id: `okta:${uuid}`,
    source: 'okta',
    sourceId: uuid,
    sourceType: eventType,
    type: OKTA_EVENT_TYPES[eventType] ?? 'other',
    time: new Date(published).toISOString(),
    outcome: oktaOutcome(outcome.result),
    reason: str(outcome.reason),
    actor: oktaParty(e.actor),
    target: Array.isArray(e.target) ? e.target.map(oktaParty) : [],
    client: { ip: str(client.ipAddress), userAgent: str(rec(client.userAgent).rawUserAgent) },
    message: str(e.displayMessage),
  };
}

/** A OneLogin v1 event; undefined when it lacks an `id` or a `created_at` time. */
export function fromOneLogin(raw: unknown): NormalizedEvent | undefined {
  const e = rec(raw);
  const id = idOf(e.id);
  const created = str(e.created_at);
  if (!id || !created) return undefined;
  const typeId = typeof e.event_type_id === 'number' ? e.event_type_id : undefined;
  const known = typeId === undefined ? undefined : ONELOGIN_EVENT_TYPES[typeId];
  const actorUser = idOf(e.actor_user_id);
  const actor = actorUser
    ? party(actorUser, 'User', null, str(e.actor_user_name))
    : party(null, 'System', null, str(e.actor_system));
  const target: EventParty[] = [];
  if (idOf(e.user_id)) target.push(party(idOf(e.user_id), 'User', null, str(e.user_name)));
  if (idOf(e.role_id)) target.push(party(idOf(e.role_id), 'Role', null, str(e.role_name)));
  if (idOf(e.group_id)) target.push(party(idOf(e.group_id), 'Group', null, str(e.group_name)));
  if (idOf(e.app_id)) target.push(party(idOf(e.app_id), 'App', null, str(e.app_name)));
  if (idOf(e.otp_device_id))
    target.push(party(idOf(e.otp_device_id), 'OtpDevice', null, str(e.otp_device_name)));
  const outcome = known?.outcome ?? (str(e.error_description) ? 'failure' : 'success');
  return {
    id: `onelogin:${id}`,
    source: 'onelogin',
    sourceId: id,
    sourceType: `event_type_id:${typeId ?? 'unknown'}`,
    type: known?.type ?? 'other',
    time: new Date(created).toISOString(),
    outcome,
    reason: outcome === 'failure' ? (str(e.notes) ?? str(e.error_description)) : null,
    actor,
    target,
    client: { ip: str(e.ipaddr), userAgent: str(e.user_agent) },
    message: str(e.custom_message) ?? str(e.notes),
  };
}

/** Normalises a page of one platform's events; events without an id or a time are dropped. */
export function normalize(platform: EventPlatform, events: readonly unknown[]): NormalizedEvent[] {
  const map = platform === 'okta' ? fromOkta : fromOneLogin;
  const out: NormalizedEvent[] = [];
  for (const raw of events) {
    const e = map(raw);
    if (e) out.push(e);
  }
  return out;
}
