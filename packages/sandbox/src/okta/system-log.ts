import { oktaUuid } from './ids.js';

/**
 * The org's System Log (`GET /api/v1/logs`): an append-only list of LogEvents in the order they
 * were published. The store appends one for each of its mutations (user lifecycle, profile
 * updates, group memberships) and tests record sign-ins, MFA events and admin grants through the
 * store's tenant API. The `after` cursor is the position in this list, so it stays valid forever
 * (Okta's own cursors are opaque; whether they expire is UNCONFIRMED).
 */

export interface OktaLogActor {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
  detailEntry: null;
}

export interface OktaLogTarget extends OktaLogActor {
  detailEntry: null;
}

export type OktaLogOutcome = 'SUCCESS' | 'FAILURE' | 'SKIPPED' | 'ALLOW' | 'DENY' | 'CHALLENGE' | 'UNKNOWN';
export type OktaLogSeverity = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** A LogEvent as the API returns it (the fields the emulator models; the rest are null). */
export interface OktaLogEvent {
  uuid: string;
  published: string;
  eventType: string;
  version: '0';
  severity: OktaLogSeverity;
  legacyEventType: string | null;
  displayMessage: string;
  actor: OktaLogActor;
  client: {
    userAgent: { rawUserAgent: string; os: string; browser: string } | null;
    zone: string;
    device: string;
    id: null;
    ipAddress: string | null;
    geographicalContext: null;
  };
  outcome: { result: OktaLogOutcome; reason: string | null };
  target: OktaLogTarget[];
  transaction: { type: 'WEB'; id: string; detail: Record<string, never> };
  debugContext: { debugData: Record<string, string> };
  authenticationContext: { authenticationStep: 0; externalSessionId: string | null };
  securityContext: Record<string, null>;
  request: { ipChain: { ip: string }[] };
}

/** What a caller says about a new event; the log fills in the uuid, the time and the defaults. */
export interface NewLogEvent {
  eventType: string;
  displayMessage: string;
  actor: Omit<OktaLogActor, 'detailEntry'>;
  target?: Omit<OktaLogTarget, 'detailEntry'>[];
  outcome?: OktaLogOutcome;
  reason?: string | null;
  severity?: OktaLogSeverity;
  ipAddress?: string | null;
  userAgent?: string | null;
  debugData?: Record<string, string>;
}

/** Who API calls act as: the admin whose SSWS token (or service app) the emulator accepts. */
export const API_ACTOR: Omit<OktaLogActor, 'detailEntry'> = {
  id: '0oasandboxapiclient1',
  type: 'PublicClientApp',
  alternateId: 'accord-sandbox-api',
  displayName: 'Sandbox API client',
};

export class OktaSystemLog {
  private readonly events: OktaLogEvent[] = [];
  private nextSeq: number;

  constructor(
    private readonly salt: number,
    private readonly now: () => number,
    data: { events?: OktaLogEvent[]; nextSeq?: number } = {},
  ) {
    for (const e of data.events ?? []) this.events.push(e);
    this.nextSeq = data.nextSeq ?? this.events.length + 1;
  }

  get size(): number {
    return this.events.length;
  }

  /** Every event, oldest first. Shared array: don't mutate. */
  all(): readonly OktaLogEvent[] {
    return this.events;
  }

  append(input: NewLogEvent): OktaLogEvent {
    const seq = this.nextSeq++;
    const at = this.now();
    const ip = input.ipAddress === undefined ? '198.51.100.10' : input.ipAddress;
    const event: OktaLogEvent = {
      uuid: oktaUuid(this.salt, seq),
      // Published times never go backwards, so the list stays sorted by `published`.
      published: new Date(Math.max(at, this.lastMs())).toISOString(),
      eventType: input.eventType,
      version: '0',
      severity: input.severity ?? (input.outcome === 'FAILURE' ? 'WARN' : 'INFO'),
      legacyEventType: null,
      displayMessage: input.displayMessage,
      actor: { ...input.actor, detailEntry: null },
      client: {
        userAgent:
          input.userAgent === null
            ? null
            : { rawUserAgent: input.userAgent ?? 'okta-sdk-nodejs', os: 'Unknown', browser: 'UNKNOWN' },
        zone: 'null',
        device: 'Unknown',
        id: null,
        ipAddress: ip,
        geographicalContext: null,
      },
      outcome: { result: input.outcome ?? 'SUCCESS', reason: input.reason ?? null },
      target: (input.target ?? []).map((t) => ({ ...t, detailEntry: null })),
      transaction: { type: 'WEB', id: `sbx-tx-${seq}`, detail: {} },
      debugContext: { debugData: { ...input.debugData } },
      authenticationContext: { authenticationStep: 0, externalSessionId: null },
      securityContext: {},
      request: { ipChain: ip ? [{ ip }] : [] },
    };
    this.events.push(event);
    return event;
  }

  private lastMs(): number {
    const last = this.events.at(-1);
    return last ? Date.parse(last.published) : 0;
  }

  /** The opaque `after` value for "everything before position `index` has been read". */
  static cursorAt(index: number): string {
    return `${index}_sbx`;
  }

  /** The position an `after` value stands for; undefined for a value this log never handed out. */
  static positionOf(after: string): number | undefined {
    const m = /^(\d+)_sbx$/.exec(after);
    return m ? Number(m[1]) : undefined;
  }

  toJSON(): { events: OktaLogEvent[]; nextSeq: number } {
    return { events: this.events.map((e) => structuredClone(e)), nextSeq: this.nextSeq };
  }
}
