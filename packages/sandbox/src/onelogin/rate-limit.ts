import { HttpResponse } from 'msw';
import { OneLoginApiError } from './errors.js';

/**
 * The account's API budget: a fixed window of an hour that opens with the first counted call, as
 * the documented 5,000 calls/hour limit reads. (Whether v2 shares that limit is UNCONFIRMED in the
 * reference; the emulator applies it to every /api/2 call.)
 *
 * `X-RateLimit-Reset` is the number of SECONDS LEFT in the window, not an epoch time: that is what
 * `GET /auth/rate_limit` documents (`"X-RateLimit-Reset":832`), and the docs say resource
 * responses carry the same headers.
 */
export const DEFAULT_RATE_LIMIT_PER_HOUR = 5000;
const WINDOW_MS = 3_600_000;

export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  reset: number;
}

export class RateLimiter {
  private windowStart: number | undefined;
  private used = 0;

  constructor(
    public limitPerHour: number,
    private readonly now: () => number,
  ) {}

  private roll(): void {
    if (this.windowStart !== undefined && this.now() - this.windowStart >= WINDOW_MS) {
      this.windowStart = undefined;
      this.used = 0;
    }
  }

  /** Counts one call; false when the budget is spent (the call must then get a 429). */
  consume(): boolean {
    this.roll();
    this.windowStart ??= this.now();
    if (this.used >= this.limitPerHour) return false;
    this.used++;
    return true;
  }

  snapshot(): RateLimitSnapshot {
    this.roll();
    const start = this.windowStart ?? this.now();
    return {
      limit: this.limitPerHour,
      remaining: Math.max(0, this.limitPerHour - this.used),
      reset: Math.max(0, Math.ceil((start + WINDOW_MS - this.now()) / 1000)),
    };
  }

  headers(override?: Partial<RateLimitSnapshot>): Record<string, string> {
    const s = { ...this.snapshot(), ...override };
    return {
      'X-RateLimit-Limit': String(s.limit),
      'X-RateLimit-Remaining': String(s.remaining),
      'X-RateLimit-Reset': String(s.reset),
    };
  }

  /** Forgets the calls made so far (tests; a restarted sandbox). */
  reset(): void {
    this.windowStart = undefined;
    this.used = 0;
  }
}

/**
 * The 429 both for a spent budget and for an injected rate-limit fault. The body shape is
 * UNCONFIRMED in the reference; it follows the v2 error shape (`{message, statusCode, name}`), and
 * the headers say Remaining 0 with the real Reset. No `Retry-After`: OneLogin doesn't document one.
 */
export function tooManyRequests(limiter: RateLimiter): Response {
  const error = new OneLoginApiError(429, 'TooManyRequestsError', 'Rate limit exceeded');
  return HttpResponse.json(error.body(), { status: 429, headers: limiter.headers({ remaining: 0 }) });
}

/**
 * A per-request throttle: the 429 of a spent budget, but with a Reset of `seconds`, as a short
 * window would answer. Still no `Retry-After` (OneLogin documents none, so the emulator sends
 * none); the client's handling of one is covered by its own tests.
 */
export function throttled(limiter: RateLimiter, seconds: number): Response {
  const error = new OneLoginApiError(429, 'TooManyRequestsError', 'Rate limit exceeded');
  return HttpResponse.json(error.body(), {
    status: 429,
    headers: limiter.headers({ remaining: 0, reset: seconds }),
  });
}
