import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registerSecrets } from '../model/redact.js';
import type { EventAlert } from '../policy/types.js';
import { sendWebhook, WebhookFailed, type WebhookTiming } from '../providers/webhook/send.js';
import { replaceDurably } from '../state/fsync.js';
import { AccordError } from '../errors.js';
import { emptyAlertState, stepAlert, type AlertDelivery, type AlertState } from './alerts.js';
import type { NormalizedEvent } from './schema.js';

/**
 * Alert delivery (UC-19): each alert reads the committed sink from its own place, with its own
 * burst windows (`alerts/<id>.json`), and sends what it matches, in order, one POST at a time.
 * Its place moves past a delivery only once the webhook answered 2xx. A target that fails every
 * attempt stops only its own alert, which keeps its place: its backlog is the stream from there,
 * computed again (the matcher is deterministic) and sent in order by the next pull. The other
 * alerts and the sources' cursor never wait for it.
 *
 * A kill after a 2xx and before the place is saved sends that delivery again: webhook delivery
 * is at least once, with a stable `X-Accord-Delivery` id for the receiver to deduplicate on.
 */

interface AlertFile {
  version: 1;
  /** Bytes of the sink this alert has dealt with. */
  offset: number;
  /** The sink file the offset is in (EventStream.generation). */
  generation?: number;
  state: AlertState;
}

export interface AlertResult {
  id: string;
  /** Deliveries the webhook accepted in this pull. */
  delivered: number;
  /** Deliveries still to send (a failed target's backlog). */
  pending: number;
  /** Why the target failed, when it did. */
  failure?: string;
}

export interface AlertRun {
  alerts: readonly EventAlert[];
  /** `alerts/` of the events layout. */
  dir: string;
  sink: string;
  /** Where a new alert starts: the sink's committed length before this pull's events. */
  startBytes: number;
  /** The sink's committed length now. */
  endBytes: number;
  /** The sink file (EventStream.generation): a rotated sink starts the alerts over at its top. */
  generation: number;
  env: NodeJS.ProcessEnv;
  timing?: WebhookTiming;
}

/** Every alert's webhook secret, from the variable the policy names; checked before any read. */
export function alertSecrets(alerts: readonly EventAlert[], env: NodeJS.ProcessEnv): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const alert of alerts) {
    const secret = env[alert.webhook.secretEnv];
    if (!secret)
      throw new AccordError(`alert ${alert.id}: ${alert.webhook.secretEnv} is not set`, {
        code: 'events.webhook-secret',
        hint: `set ${alert.webhook.secretEnv} to the webhook's signing secret`,
      });
    secrets.set(alert.id, secret);
  }
  registerSecrets([...secrets.values()]);
  return secrets;
}

/**
 * Gives each alert that has no file yet one that starts at `bytes` (the sink's committed length
 * before a pull), so a new alert sees every event from its first pull on, even one a kill cut short.
 */
export async function startAlerts(
  alerts: readonly EventAlert[],
  dir: string,
  bytes: number,
  generation: number,
): Promise<void> {
  for (const alert of alerts) {
    const path = join(dir, `${alert.id}.json`);
    if ((await readAlertFile(path)) !== undefined) continue;
    const file: AlertFile = { version: 1, offset: bytes, generation, state: emptyAlertState() };
    await replaceDurably(path, `${JSON.stringify(file)}\n`);
  }
}

export async function deliverAlerts(run: AlertRun): Promise<AlertResult[]> {
  const secrets = alertSecrets(run.alerts, run.env);
  return Promise.all(run.alerts.map((alert) => deliverOne(alert, secrets.get(alert.id)!, run)));
}

async function deliverOne(alert: EventAlert, secret: string, run: AlertRun): Promise<AlertResult> {
  const path = join(run.dir, `${alert.id}.json`);
  const saved = await readAlertFile(path);
  // A place in a sink that was rotated since: the alert goes on from the top of the new file (a
  // backlog still in the old file is not sent: rotate when no alert waits).
  const sameSink = (saved?.generation ?? 1) === run.generation;
  let offset = saved ? (sameSink ? saved.offset : 0) : run.startBytes;
  let state = saved?.state ?? emptyAlertState();
  const result: AlertResult = { id: alert.id, delivered: 0, pending: 0 };
  const save = () =>
    replaceDurably(
      path,
      `${JSON.stringify({ version: 1, offset, generation: run.generation, state } satisfies AlertFile)}\n`,
    );
  let dirty = saved === undefined || !sameSink;
  for (const { event, end } of await linesBetween(run.sink, offset, run.endBytes)) {
    const step = stepAlert(alert, state, event);
    if (result.failure !== undefined) {
      // The target is down: count the backlog without sending or moving.
      if (step.delivery) result.pending++;
      state = step.state;
      continue;
    }
    if (step.delivery) {
      try {
        await sendWebhook(
          {
            url: alert.webhook.url,
            body: JSON.stringify(payload(step.delivery)),
            secret,
            alert: alert.id,
            deliveryId: step.delivery.id,
          },
          { ...run.timing, maxAttempts: alert.webhook.maxAttempts ?? run.timing?.maxAttempts ?? 5 },
        );
      } catch (error) {
        if (!(error instanceof WebhookFailed)) throw error;
        result.failure = error.detail;
        result.pending++;
        if (dirty) await save();
        state = step.state;
        continue;
      }
      result.delivered++;
      offset = end;
      state = step.state;
      await save();
      dirty = false;
      continue;
    }
    offset = end;
    state = step.state;
    dirty = true;
  }
  if (result.failure === undefined && dirty) await save();
  return result;
}

/** What a webhook receives: the delivery, and the events in the normalised schema. */
export const payload = (d: AlertDelivery) => ({
  deliveryId: d.id,
  alert: d.alert,
  ...(d.description ? { description: d.description } : {}),
  kind: d.kind,
  ...(d.key ? { key: d.key } : {}),
  count: d.events.length,
  events: d.events,
});

async function readAlertFile(path: string): Promise<AlertFile | undefined> {
  try {
    const data = JSON.parse(await readFile(path, 'utf8')) as AlertFile;
    if (data.version === 1 && typeof data.offset === 'number' && data.state) return data;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  }
  throw new AccordError(`the alert file ${path} is not one accord wrote`, {
    code: 'events.alert-file',
    hint: 'delete it to start the alert from the events of the next pull',
  });
}

/** The sink's events from byte `from` to `to`, each with the byte offset just past its line. */
export async function linesBetween(
  sink: string,
  from: number,
  to: number,
): Promise<{ event: NormalizedEvent; end: number }[]> {
  if (to <= from) return [];
  const handle = await open(sink, 'r');
  const buffer = Buffer.alloc(to - from);
  try {
    await handle.read(buffer, 0, buffer.length, from);
  } finally {
    await handle.close();
  }
  const out: { event: NormalizedEvent; end: number }[] = [];
  let start = 0;
  for (;;) {
    const nl = buffer.indexOf(0x0a, start);
    if (nl === -1) break;
    const line = buffer.subarray(start, nl).toString('utf8');
    start = nl + 1;
    try {
      out.push({ event: JSON.parse(line) as NormalizedEvent, end: from + start });
    } catch {
      // A line accord did not write: skipped.
    }
  }
  return out;
}
