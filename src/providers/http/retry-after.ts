import type { RetryDecision } from './retry.js';

/**
 * Per-request throttling (429) and unavailability (503) on every platform: the server's
 * `Retry-After` is the wait, because retrying sooner only earns another refusal.
 *
 * The cap: a Retry-After above it is not waited out, and not retried early either (that would
 * defy the header and spend the platform's patience); the call fails at once with a message
 * that says so, and the change is left for the next run. A platform that asks for minutes is in
 * maintenance or badly overloaded, which a run should report rather than sit through silently.
 * Budget windows announced by other headers (Okta's and OneLogin's `X-Rate-Limit(-)Reset`) are
 * not capped: they say when the budget refills, and waiting for that is the only way on.
 */
export const RETRY_AFTER_CAP_MS = 60_000;

/**
 * A Retry-After value in ms: delta-seconds, or an HTTP date, which is measured against the
 * response's own `Date` when it has one (so a skewed local clock doesn't shift the wait).
 * Undefined when absent or unreadable.
 */
export function retryAfterMs(
  value: string | null | undefined,
  serverDate?: string | null,
  localNow: number = Date.now(),
): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return undefined;
  const server = Date.parse(serverDate ?? '');
  return Math.max(0, at - (Number.isFinite(server) ? server : localNow));
}

/** A call refused with a Retry-After longer than accord waits. */
export class RetryAfterTooLong extends Error {
  constructor(
    readonly reason: string,
    readonly waitMs: number,
    readonly capMs: number,
    override readonly cause: unknown,
  ) {
    super(
      `${reason}: the platform asked to retry after ${seconds(waitMs)} s, more than the ${seconds(capMs)} s accord waits; not retried, run again later`,
    );
    this.name = 'RetryAfterTooLong';
  }
}

const seconds = (ms: number) => String(Math.round(ms / 100) / 10);

export interface ThrottleInput {
  /** What the retry report says, e.g. `throttled (429 REQUEST_LIMIT_EXCEEDED)`. */
  reason: string;
  /** The error the call failed with; kept as the cause when the wait is too long. */
  error: unknown;
  retryAfter?: string | null;
  date?: string | null;
  now?: number;
  /** The wait when there is no Retry-After (a budget reset); else the computed backoff. */
  fallbackDelayMs?: number;
  capMs?: number;
}

/** The retry decision for a 429 or 503: Retry-After when given (within the cap), else the fallback. */
export function throttleDecision(input: ThrottleInput): RetryDecision {
  const capMs = input.capMs ?? RETRY_AFTER_CAP_MS;
  const wait = retryAfterMs(input.retryAfter, input.date, input.now ?? Date.now());
  if (wait !== undefined && wait > capMs)
    return { retry: false, error: new RetryAfterTooLong(input.reason, wait, capMs, input.error) };
  const delayMs = wait ?? input.fallbackDelayMs;
  return { retry: true, reason: input.reason, ...(delayMs !== undefined ? { delayMs } : {}) };
}
