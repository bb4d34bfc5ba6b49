import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AccordError, isAccordError } from '../errors.js';
import type { SalesforceEventFields, SalesforceEventSink } from '../policy/types.js';
import type { Outcome } from '../providers/salesforce/collections.js';
import { replaceDurably } from '../state/fsync.js';
import { linesBetween } from './deliver-alerts.js';
import type { EventParty, NormalizedEvent } from './schema.js';

/**
 * The Salesforce custom-object sink (UC-18): the committed JSON lines sink, read from the sink's
 * own place (`salesforce.json` in the events folder, like an alert's), upserted into
 * `events.sinks.salesforce.object` by its External ID field, 200 events a call.
 *
 * Exactly once: an upsert keyed on the event's id is idempotent, so the place moves past a call's
 * events only after the org answered, and a kill before that sends the same events again, which
 * updates the records they made (none is made twice). A call that fails as a whole (the org down,
 * credentials, the daily limit) stops this sink only: it keeps its place, and the next pull sends
 * the backlog from there; the cursor, the JSON lines sink and the alerts never wait for it.
 * Records the org refused one by one (a validation rule, a field type) are kept with their error in
 * `retry` and sent again, first, on every pull until they land; once `MAX_RETRY` wait the sink takes
 * no new events (a mapping mistake would otherwise fill the file), and says so.
 */

export const UPSERT_SIZE = 200;
/** Refused events kept for retrying; past this the sink stops taking new events. */
export const MAX_RETRY = 2000;
/** Salesforce Text fields hold at most 255 characters. */
const TEXT_MAX = 255;

/** The default custom fields of each part of an event (the sandbox's Login_Event__c has them all). */
export const DEFAULT_EVENT_FIELDS: Required<{ [K in keyof SalesforceEventFields]: string }> = {
  source: 'Platform__c',
  sourceId: 'Source_Event_Id__c',
  sourceType: 'Source_Type__c',
  type: 'Event_Type__c',
  time: 'Event_Time__c',
  outcome: 'Outcome__c',
  reason: 'Reason__c',
  actor: 'Actor__c',
  'actor.id': 'Actor_Id__c',
  target: 'Target__c',
  'target.id': 'Target_Id__c',
  'client.ip': 'IP_Address__c',
  'client.userAgent': 'User_Agent__c',
  message: 'Message__c',
};

type Part = keyof SalesforceEventFields;

const shown = (p: EventParty | undefined): string | null => p?.login ?? p?.name ?? p?.id ?? null;

const PARTS: Record<Part, (e: NormalizedEvent) => string | null> = {
  source: (e) => e.source,
  sourceId: (e) => e.sourceId,
  sourceType: (e) => e.sourceType,
  type: (e) => e.type,
  time: (e) => e.time,
  outcome: (e) => e.outcome,
  reason: (e) => e.reason,
  actor: (e) => shown(e.actor),
  'actor.id': (e) => e.actor.id,
  target: (e) => shown(e.target[0]),
  'target.id': (e) => e.target[0]?.id ?? null,
  'client.ip': (e) => e.client.ip,
  'client.userAgent': (e) => e.client.userAgent,
  message: (e) => e.message,
};

/** The fields written: the defaults with the policy's `fields` over them, `null` ones left out. */
export function eventFieldMap(sink: SalesforceEventSink): [Part, string][] {
  const merged: Record<string, string | null> = { ...DEFAULT_EVENT_FIELDS, ...sink.fields };
  return Object.entries(merged).flatMap(([part, field]) =>
    field === null || field === undefined || !(part in PARTS) ? [] : [[part as Part, field]],
  );
}

/** One event as a record of the sink's object (without `attributes`). */
export function eventRecord(sink: SalesforceEventSink, e: NormalizedEvent): Record<string, unknown> {
  const record: Record<string, unknown> = { [sink.externalIdField]: e.id };
  for (const [part, field] of eventFieldMap(sink)) {
    const value = PARTS[part](e);
    record[field] = typeof value === 'string' && value.length > TEXT_MAX ? value.slice(0, TEXT_MAX) : value;
  }
  return record;
}

/** What the sink needs of a Salesforce org (SalesforceProvider.upsertByExternalId). */
export interface RecordUpserter {
  upsertByExternalId(
    sobject: string,
    externalIdField: string,
    records: readonly Record<string, unknown>[],
  ): Promise<Outcome[]>;
}

interface Refused {
  event: NormalizedEvent;
  error: string;
}

interface SinkFile {
  version: 1;
  /** `<org>/<object>/<externalIdField>`: another target starts a new place. */
  target: string;
  /** Bytes of the JSON lines sink this sink has dealt with. */
  offset: number;
  /** The JSON lines file the offset is in (EventStream.generation). */
  generation: number;
  retry: Refused[];
}

export interface SalesforceSinkResult {
  org: string;
  object: string;
  /** Events the org took in this pull (new and retried). */
  upserted: number;
  /** Upsert calls made (one per 200 events; a call's own retries not counted). */
  calls: number;
  /** Events not sent yet: the backlog of a failed call, or new events held while `retry` is full. */
  pending: number;
  /** Events the org refused one by one, sent again on the next pull. */
  refused: { id: string; error: string }[];
  /** Why the sink stopped, when it did: the backlog waits for the next pull. */
  failure?: string;
}

export interface SalesforceSinkRun {
  sink: SalesforceEventSink;
  org: RecordUpserter;
  /** The events folder. */
  dir: string;
  /** The JSON lines sink. */
  jsonl: string;
  /** Where a new sink starts: the JSON lines sink's committed length before this pull. */
  startBytes: number;
  endBytes: number;
  generation: number;
}

export const salesforceSinkPath = (dir: string): string => join(dir, 'salesforce.json');
const targetOf = (s: SalesforceEventSink) => `${s.org}/${s.object}/${s.externalIdField}`;

async function readSinkFile(path: string): Promise<SinkFile | undefined> {
  try {
    const data = JSON.parse(await readFile(path, 'utf8')) as SinkFile;
    if (data.version === 1 && typeof data.offset === 'number' && Array.isArray(data.retry)) return data;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  }
  throw new AccordError(`the Salesforce sink file ${path} is not one accord wrote`, {
    code: 'events.salesforce-file',
    hint: 'delete it to start the Salesforce sink from the events of the next pull',
  });
}

const save = (path: string, file: SinkFile) => replaceDurably(path, `${JSON.stringify(file)}\n`);

/**
 * Gives a new sink (or one whose target changed) its place: the JSON lines sink's committed
 * length before this pull, so it gets every event from its first pull on, even a killed one's.
 */
export async function startSalesforceSink(
  sink: SalesforceEventSink,
  dir: string,
  bytes: number,
  generation: number,
): Promise<void> {
  const path = salesforceSinkPath(dir);
  const saved = await readSinkFile(path);
  if (saved?.target === targetOf(sink)) return;
  await save(path, { version: 1, target: targetOf(sink), offset: bytes, generation, retry: [] });
}

/** A call that failed as a whole (no per-record SaveResult came back): the org, not a record. */
const callFailed = (outcomes: Outcome[]): string | undefined => {
  const first = outcomes[0];
  return first?.status === 'failed' && outcomes.every((o) => o.status === 'failed' && o.codes === undefined)
    ? first.message
    : undefined;
};

export async function deliverToSalesforce(run: SalesforceSinkRun): Promise<SalesforceSinkResult> {
  const { sink } = run;
  const path = salesforceSinkPath(run.dir);
  const saved = (await readSinkFile(path))!;
  const file: SinkFile = { ...saved };
  // A rotated JSON lines sink: the place goes to the top of the new file (as the alerts' do).
  if (file.generation !== run.generation) Object.assign(file, { offset: 0, generation: run.generation });
  const result: SalesforceSinkResult = {
    org: sink.org,
    object: sink.object,
    upserted: 0,
    calls: 0,
    pending: 0,
    refused: [],
  };

  /** One call: the events the org refused by record, or throws Stop when the call failed. */
  const upsert = async (events: NormalizedEvent[]): Promise<Refused[]> => {
    result.calls++;
    let outcomes: Outcome[];
    try {
      outcomes = await run.org.upsertByExternalId(
        sink.object,
        sink.externalIdField,
        events.map((e) => eventRecord(sink, e)),
      );
    } catch (error) {
      if (!isAccordError(error)) throw error;
      throw new Stop(error.message);
    }
    const failed = callFailed(outcomes);
    if (failed !== undefined) throw new Stop(failed);
    const refused: Refused[] = [];
    outcomes.forEach((o, i) => {
      if (o.status === 'applied') result.upserted++;
      else refused.push({ event: events[i]!, error: o.message });
    });
    return refused;
  };

  const lines = await linesBetween(run.jsonl, file.offset, run.endBytes);
  try {
    // Refused events first, each once a pull.
    let retry = file.retry;
    let stillRefused: Refused[] = [];
    while (retry.length > 0) {
      const part = retry.slice(0, UPSERT_SIZE);
      try {
        stillRefused = stillRefused.concat(await upsert(part.map((r) => r.event)));
      } catch (error) {
        if (error instanceof Stop) result.pending += lines.length;
        throw error;
      }
      retry = retry.slice(part.length);
      file.retry = [...stillRefused, ...retry];
      await save(path, file);
    }
    for (let i = 0; i < lines.length; i += UPSERT_SIZE) {
      if (file.retry.length >= MAX_RETRY) {
        result.pending += lines.length - i;
        result.failure = `${file.retry.length} refused event(s) wait; no new events are sent until they land`;
        break;
      }
      const part = lines.slice(i, i + UPSERT_SIZE);
      // The JSON lines sink holds each event once; one call must not name an id twice anyway.
      const seen = new Set<string>();
      const events = part.map((l) => l.event).filter((e) => !seen.has(e.id) && seen.add(e.id));
      try {
        file.retry = [...file.retry, ...(await upsert(events))];
      } catch (error) {
        if (error instanceof Stop) result.pending += lines.length - i;
        throw error;
      }
      file.offset = part.at(-1)!.end;
      await save(path, file);
    }
    if (file.generation !== saved.generation && lines.length === 0) await save(path, file);
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    result.failure = error.message;
  }
  result.refused = file.retry.map((r) => ({ id: r.event.id, error: r.error }));
  return result;
}

/** A call that failed as a whole: the sink stops here and keeps its place. */
class Stop extends Error {}
