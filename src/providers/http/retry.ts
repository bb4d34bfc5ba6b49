import pRetry, { AbortError } from 'p-retry';

/**
 * The one retry loop every provider uses. The provider's classifier decides whether an error is
 * worth another attempt and, when the platform said how long to wait (Retry-After,
 * X-Rate-Limit-Reset), that wait replaces the computed backoff: waiting less only earns another 429.
 */

/**
 * `error` on a refusal replaces what the operation threw, for a failure that needs saying in
 * accord's words (e.g. a Retry-After longer than accord waits).
 */
export type RetryDecision =
  { retry: true; delayMs?: number; reason: string } | { retry: false; error?: unknown };

export interface RetryInfo {
  /** The attempt that just failed, from 1. */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  reason: string;
}

export interface RetryOptions {
  /** Names the platform in retry reports. */
  platform: string;
  /** Attempts in total, the first included. Default 5. */
  maxAttempts?: number;
  /** Backoff before the first retry, doubled for each further one. Default 200. */
  baseDelayMs?: number;
  /** Cap on the computed backoff. Default 30000. */
  maxDelayMs?: number;
  /** Injectable so tests don't wait. */
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: RetryInfo) => void;
}

export const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Exponential backoff with full jitter: uniform in [0, min(max, base × 2^(retry-1))]. */
export function backoffDelay(
  retry: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(random() * ceiling);
}

/**
 * Carries the operation's own error through p-retry. p-retry refuses to retry TypeErrors it doesn't
 * recognise and replaces non-Error throws; wrapping keeps the classifier in charge and lets the
 * caller see exactly what the operation threw.
 */
class Attempt extends Error {
  constructor(
    readonly original: unknown,
    readonly decision: RetryDecision,
  ) {
    super('attempt failed');
  }
}

export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  classify: (error: unknown) => RetryDecision,
  options: RetryOptions,
): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const baseDelayMs = options.baseDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? realSleep;
  try {
    return await pRetry(
      async (attempt) => {
        try {
          return await op(attempt);
        } catch (error) {
          const decision = classify(error);
          const wrapped = new Attempt(error, decision);
          throw decision.retry ? wrapped : new AbortError(wrapped);
        }
      },
      {
        retries: maxAttempts - 1,
        // The waiting is done below with the injectable sleep, so p-retry must not wait itself.
        minTimeout: 0,
        maxTimeout: 0,
        shouldRetry: async ({ error, attemptNumber }) => {
          if (!(error instanceof Attempt) || !error.decision.retry) return false;
          const { delayMs, reason } = error.decision;
          const wait =
            delayMs !== undefined
              ? Math.max(0, delayMs)
              : backoffDelay(attemptNumber, baseDelayMs, maxDelayMs);
          options.onRetry?.({ attempt: attemptNumber, maxAttempts, delayMs: wait, reason });
          await sleep(wait);
          return true;
        },
      },
    );
  } catch (error) {
    if (!(error instanceof Attempt)) throw error;
    const { decision } = error;
    throw !decision.retry && decision.error !== undefined ? decision.error : error.original;
  }
}

/** Transient network failures: worth retrying, unlike DNS names that don't exist (ENOTFOUND). */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  // got's TimeoutError and ReadError when no system code is attached.
  'ERR_GOT_REQUEST_ERROR',
]);

const NETWORK_MESSAGES = [
  'socket hang up',
  'fetch failed',
  'failed to fetch',
  'network error',
  'terminated',
  'other side closed',
  'read econnreset',
];

/** Every error in the `cause` chain (undici puts the system error in `cause` of 'fetch failed'). */
function* causes(error: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  let current = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    yield current as Record<string, unknown>;
    current = (current as { cause?: unknown }).cause;
  }
}

/** The system or library error code of a network failure anywhere in the cause chain (ENOTFOUND included). */
export function networkErrorCode(error: unknown): string | undefined {
  for (const e of causes(error)) {
    for (const key of ['code', 'errno'] as const) {
      const value = e[key];
      if (typeof value === 'string' && (TRANSIENT_CODES.has(value) || value === 'ENOTFOUND')) {
        return value;
      }
    }
  }
  return undefined;
}

export function isNetworkError(error: unknown): boolean {
  for (const e of causes(error)) {
    const code = e.code ?? e.errno;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    // got's RequestError subclasses (ReadError, TimeoutError) name the failure rather than coding it.
    if (e.name === 'TimeoutError' || e.name === 'ReadError') return true;
    // node-fetch's FetchError with type 'system' wraps an OS-level failure.
    if (e.name === 'FetchError' && e.type === 'system' && code !== 'ENOTFOUND') return true;
    const message = typeof e.message === 'string' ? e.message.toLowerCase() : '';
    if (NETWORK_MESSAGES.some((m) => message === m || message.startsWith(`${m} (`))) return true;
    if (message.includes('socket hang up')) return true;
  }
  return false;
}
