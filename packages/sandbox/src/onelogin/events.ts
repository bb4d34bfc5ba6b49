/**
 * The account's event log (`GET /api/1/events`, API v1): an append-only list in id order. The
 * store appends events for its own mutations (users created, updated, deleted; role members added
 * and removed) and tests record logins, MFA events and privilege grants through its tenant API.
 *
 * Event type ids and names are UNCONFIRMED: OneLogin publishes the table through
 * `GET /api/1/events/types`, which we could not read; this sandbox serves the table below and
 * accord's mapping (src/providers/onelogin/README.md) follows it.
 */

export const EVENT_TYPES = {
  USER_LOGGED_INTO_ONELOGIN: 5,
  USER_FAILED_AUTHENTICATION: 6,
  USER_UPDATED: 11,
  USER_CREATED: 13,
  USER_DELETED: 17,
  USER_OTP_DEVICE_REGISTERED: 23,
  USER_OTP_DEVICE_DEREGISTERED: 24,
  ROLE_ASSIGNED_TO_USER: 72,
  ROLE_REMOVED_FROM_USER: 73,
  PRIVILEGE_GRANTED_TO_USER: 400,
  PRIVILEGE_REVOKED_FROM_USER: 401,
  USER_BYPASSED_MFA: 901,
} as const;

export type EventTypeName = keyof typeof EVENT_TYPES;

const DESCRIPTIONS: Record<EventTypeName, string> = {
  USER_LOGGED_INTO_ONELOGIN: '%user% logged into OneLogin',
  USER_FAILED_AUTHENTICATION: '%user% failed OneLogin authentication',
  USER_UPDATED: '%actor_user% updated %user%',
  USER_CREATED: '%actor_user% created user %user%',
  USER_DELETED: '%actor_user% deleted user %user%',
  USER_OTP_DEVICE_REGISTERED: '%user% registered OTP device %otp_device%',
  USER_OTP_DEVICE_DEREGISTERED: '%actor_user% removed OTP device %otp_device% from %user%',
  ROLE_ASSIGNED_TO_USER: '%actor_user% assigned role %role% to %user%',
  ROLE_REMOVED_FROM_USER: '%actor_user% removed role %role% from %user%',
  PRIVILEGE_GRANTED_TO_USER: '%actor_user% granted privilege %privilege% to %user%',
  PRIVILEGE_REVOKED_FROM_USER: '%actor_user% revoked privilege %privilege% from %user%',
  USER_BYPASSED_MFA: '%user% bypassed MFA',
};

/** `GET /api/1/events/types` rows. */
export const eventTypeRows = () =>
  (Object.keys(EVENT_TYPES) as EventTypeName[]).map((name) => ({
    id: EVENT_TYPES[name],
    name,
    description: DESCRIPTIONS[name],
  }));

/** An event as `GET /api/1/events` returns it (the v1 event resource). */
export interface OneLoginEvent {
  id: number;
  created_at: string;
  account_id: number;
  event_type_id: number;
  user_id: number | null;
  user_name: string | null;
  actor_user_id: number | null;
  actor_user_name: string | null;
  actor_system: string | null;
  role_id: number | null;
  role_name: string | null;
  app_id: number | null;
  app_name: string | null;
  group_id: number | null;
  group_name: string | null;
  otp_device_id: number | null;
  otp_device_name: string | null;
  policy_id: number | null;
  policy_name: string | null;
  ipaddr: string | null;
  user_agent: string | null;
  notes: string | null;
  custom_message: string | null;
  error_description: string | null;
  directory_sync_run_id: number | null;
  resolution: string | null;
  client_id: string | null;
  resource_type_id: number | null;
  risk_score: number | null;
  risk_reasons: string | null;
}

export type NewEvent = Partial<Omit<OneLoginEvent, 'id' | 'created_at' | 'account_id' | 'event_type_id'>> & {
  type: EventTypeName;
};

export const FIRST_EVENT_ID = 900_000_001;

export class OneLoginEventLog {
  private readonly events: OneLoginEvent[] = [];
  private nextId: number;

  constructor(
    private readonly accountId: number,
    private readonly now: () => number,
    data: { events?: OneLoginEvent[]; nextId?: number } = {},
  ) {
    for (const e of data.events ?? []) this.events.push(e);
    this.nextId = data.nextId ?? (this.events.at(-1)?.id ?? FIRST_EVENT_ID - 1) + 1;
  }

  /** Every event, oldest (lowest id) first. Shared array: don't mutate. */
  all(): readonly OneLoginEvent[] {
    return this.events;
  }

  append(input: NewEvent): OneLoginEvent {
    const { type, ...fields } = input;
    const last = this.events.at(-1);
    const event: OneLoginEvent = {
      id: this.nextId++,
      // Times only go forwards (by a millisecond at least), so id order is time order and a
      // `since` read sees only the last event it already had again, whatever a test records at once.
      created_at: new Date(Math.max(this.now(), last ? Date.parse(last.created_at) + 1 : 0)).toISOString(),
      account_id: this.accountId,
      event_type_id: EVENT_TYPES[type],
      user_id: null,
      user_name: null,
      actor_user_id: null,
      actor_user_name: null,
      actor_system: null,
      role_id: null,
      role_name: null,
      app_id: null,
      app_name: null,
      group_id: null,
      group_name: null,
      otp_device_id: null,
      otp_device_name: null,
      policy_id: null,
      policy_name: null,
      ipaddr: null,
      user_agent: null,
      notes: null,
      custom_message: null,
      error_description: null,
      directory_sync_run_id: null,
      resolution: null,
      client_id: null,
      resource_type_id: null,
      risk_score: null,
      risk_reasons: null,
      ...fields,
    };
    this.events.push(event);
    return event;
  }

  toJSON(): { events: OneLoginEvent[]; nextId: number } {
    return { events: this.events.map((e) => ({ ...e })), nextId: this.nextId };
  }
}
