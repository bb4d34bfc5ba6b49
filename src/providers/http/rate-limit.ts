import { AccordError } from '../../errors.js';
import { realSleep } from './retry.js';

/**
 * Client-side pacing from the platform's own rate-limit headers, so a large run slows down before
 * the platform starts refusing calls rather than after. One bucket per endpoint family, because
 * Okta (and others) count each family separately.
 */

export interface BucketReading {
  limit?: number;
  remaining?: number;
  /** Epoch milliseconds at which the bucket refills. */
  resetAtMs?: number;
}

export class RateBudget {
  private readonly buckets = new Map<string, BucketReading>();
  private readonly reserveFraction: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    readonly platform: string,
    options: {
      reserveFraction?: number;
      sleep?: (ms: number) => Promise<void>;
      now?: () => number;
    } = {},
  ) {
    this.reserveFraction = options.reserveFraction ?? 0.1;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
  }

  /** Records what the latest response said; fields it didn't say keep their previous value. */
  observe(bucket: string, reading: BucketReading): void {
    const previous = this.buckets.get(bucket) ?? {};
    const next: BucketReading = { ...previous };
    if (reading.limit !== undefined && Number.isFinite(reading.limit)) next.limit = reading.limit;
    if (reading.remaining !== undefined && Number.isFinite(reading.remaining)) {
      next.remaining = reading.remaining;
    }
    if (reading.resetAtMs !== undefined && Number.isFinite(reading.resetAtMs)) {
      next.resetAtMs = reading.resetAtMs;
    }
    this.buckets.set(bucket, next);
  }

  /**
   * Call before each request of the bucket. Resolves at once while the bucket is above its reserve;
   * at or below it, waits until the reset time. Each call counts one request against the last
   * reading, because concurrent requests all start from the same stale reading until their
   * responses arrive.
   */
  async wait(bucket: string): Promise<void> {
    const reading = this.buckets.get(bucket);
    if (!reading || reading.remaining === undefined) return;
    const reserve = reading.limit !== undefined ? reading.limit * this.reserveFraction : 0;
    if (reading.remaining > reserve) {
      reading.remaining -= 1;
      return;
    }
    const resetAtMs = reading.resetAtMs;
    // Without a reset time there is nothing to wait for; the platform's 429 and withRetry take over.
    if (resetAtMs === undefined) return;
    const waitMs = resetAtMs - this.now();
    if (waitMs > 0) await this.sleep(waitMs);
    // The bucket refilled; assume it is full until the next response says otherwise.
    if (this.buckets.get(bucket) === reading && reading.resetAtMs === resetAtMs) {
      reading.remaining = reading.limit !== undefined ? reading.limit - 1 : undefined;
      delete reading.resetAtMs;
    }
  }

  readings(): Record<string, BucketReading> {
    return Object.fromEntries([...this.buckets].map(([name, reading]) => [name, { ...reading }]));
  }
}

/**
 * Salesforce counts API calls per org over a rolling 24 hours and other integrations share that
 * allowance, so accord stops before eating into the reserve left for them.
 */
export class DailyLimitGuard {
  private used: number | undefined;
  private max: number | undefined;

  constructor(
    readonly platform: string,
    readonly reserve: number,
  ) {}

  observe(used: number, max: number): void {
    if (Number.isFinite(used) && Number.isFinite(max)) {
      this.used = used;
      this.max = max;
    }
  }

  remaining(): number | undefined {
    return this.used !== undefined && this.max !== undefined ? this.max - this.used : undefined;
  }

  /** Calls that may still be made before the reserve; undefined before the first reading. */
  spendable(): number | undefined {
    const remaining = this.remaining();
    return remaining === undefined ? undefined : Math.max(0, remaining - this.reserve);
  }

  /**
   * Throws when the remaining calls are down to the reserve, or when `planned` more calls would
   * take them under it. Before the first reading nothing is stopped.
   */
  check(planned = 0): void {
    const remaining = this.remaining();
    if (remaining === undefined) return;
    if (remaining <= this.reserve) throw this.reserveError();
    if (remaining - planned < this.reserve) throw this.reserveError(planned);
  }

  /** The error for stopping at the reserve; with `planned`, it says how many calls the next step needed. */
  reserveError(planned?: number): AccordError {
    const needs = planned === undefined ? '' : `, and the next step needs ${planned} more calls`;
    return new AccordError(
      `${this.platform}: daily API limit nearly used up: ${Math.max(0, this.remaining() ?? 0)} of ${this.max ?? '?'} remaining, reserve ${this.reserve}${needs}`,
      {
        code: 'limits.daily-reserve',
        hint: 'Salesforce counts API calls over a rolling 24 hours; run again later, or ask for a higher org limit',
      },
    );
  }
}
