import type { EventAlert, EventCondition } from '../policy/types.js';
import type { NormalizedEvent } from './schema.js';

/**
 * The alert matcher (UC-19), pure: one event at a time through an alert's state gives at most one
 * delivery. Deterministic, so a pull that stopped at a failed delivery computes the very same
 * deliveries again from the same point of the stream: the backlog goes out in order, once the
 * target answers.
 */

/** What a burst alert remembers between events: recent matches per actor or target. */
export interface AlertState {
  /** Matches inside the window, oldest first, by burst key. */
  windows: Record<string, NormalizedEvent[]>;
}

export const emptyAlertState = (): AlertState => ({ windows: {} });

/** One POST to the alert's webhook. */
export interface AlertDelivery {
  /** `<alert id>:<id of the event that completed it>`: the receiver's deduplication key. */
  id: string;
  alert: string;
  /** `event`: one match; `burst`: `count` matches of one key within the window. */
  kind: 'event' | 'burst';
  /** The actor or target the burst is about. */
  key?: string;
  description?: string;
  events: NormalizedEvent[];
}

/** Whether the event meets the condition's type, outcome and source (the burst aside). */
export function matches(when: EventCondition, event: NormalizedEvent): boolean {
  return (
    when.types.includes(event.type) &&
    (when.outcome === undefined || when.outcome === event.outcome) &&
    (when.sources === undefined || when.sources.includes(event.source))
  );
}

const partyKey = (p: { id: string | null; login: string | null; name: string | null } | undefined) =>
  p ? (p.id ?? p.login ?? p.name ?? undefined) : undefined;

/** The burst key: `<source>:<actor or first target id>`. */
function burstKey(by: 'actor' | 'target', event: NormalizedEvent): string | undefined {
  const key = partyKey(by === 'actor' ? event.actor : event.target[0]);
  return key === undefined ? undefined : `${event.source}:${key}`;
}

/** The next state, and the delivery this event completes, if any. `state` is not changed. */
export function stepAlert(
  alert: EventAlert,
  state: AlertState,
  event: NormalizedEvent,
): { state: AlertState; delivery?: AlertDelivery } {
  const { when } = alert;
  if (!matches(when, event)) return { state };
  const base = {
    id: `${alert.id}:${event.id}`,
    alert: alert.id,
    ...(alert.description ? { description: alert.description } : {}),
  };
  if (!when.burst) return { state, delivery: { ...base, kind: 'event', events: [event] } };
  const key = burstKey(when.burst.by ?? 'actor', event);
  if (key === undefined) return { state };
  const from = Date.parse(event.time) - when.burst.withinMinutes * 60_000;
  const windows: Record<string, NormalizedEvent[]> = {};
  // Expired matches of every key go, so the state stays as small as the window.
  for (const [k, list] of Object.entries(state.windows)) {
    const kept = list.filter((e) => Date.parse(e.time) > from);
    if (kept.length) windows[k] = kept;
  }
  const window = [...(windows[key] ?? []), event];
  if (window.length >= when.burst.count) {
    delete windows[key];
    return { state: { windows }, delivery: { ...base, kind: 'burst', key, events: window } };
  }
  windows[key] = window;
  return { state: { windows } };
}
