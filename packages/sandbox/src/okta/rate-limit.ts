/**
 * Okta's rate limits: each endpoint family has its own budget per window, and every response
 * tells the client where it stands (`X-Rate-Limit-Limit/Remaining/Reset`, Reset in epoch seconds).
 * Windows are fixed and aligned to the epoch, so Reset is the same for every request in a window.
 */

/**
 * Families of endpoints that share a budget. UNCONFIRMED: Okta's real buckets are finer (and
 * differ per org); these follow the path shapes: collections, single resources, lifecycle, OAuth.
 */
export type OktaBucket = 'users' | 'user' | 'lifecycle' | 'groups' | 'group' | 'apps' | 'logs' | 'oauth';

/** Requests per minute; roughly Okta's published defaults for a paid org (UNCONFIRMED). */
export const DEFAULT_RATE_LIMITS: Record<OktaBucket, number> = {
  users: 600,
  user: 2000,
  lifecycle: 600,
  groups: 500,
  group: 1000,
  // `/api/v1/apps` and everything under it, one family as accord paces it. UNCONFIRMED figure.
  apps: 500,
  // `/api/v1/logs`: Okta documents a lower limit for the System Log than for users. UNCONFIRMED figure.
  logs: 120,
  oauth: 600,
};

export interface RateLimitOptions {
  /** Budget per window by bucket; missing buckets keep the default. */
  limits?: Partial<Record<OktaBucket, number>>;
  /** Window length in seconds (60, i.e. per minute, by default). Tests use 1 to keep waits short. */
  windowSeconds?: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch seconds when the window ends. */
  reset: number;
}

export class RateLimiter {
  private readonly limits: Record<OktaBucket, number>;
  private windowSeconds: number;
  private readonly used = new Map<OktaBucket, { window: number; count: number }>();

  constructor(
    options: RateLimitOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_RATE_LIMITS, ...options.limits };
    this.windowSeconds = options.windowSeconds ?? 60;
  }

  /** Changes budgets (and the window) on a running tenant; counts start over. */
  configure(options: RateLimitOptions): void {
    Object.assign(this.limits, options.limits);
    if (options.windowSeconds !== undefined) this.windowSeconds = options.windowSeconds;
    this.used.clear();
  }

  limitOf(bucket: OktaBucket): number {
    return this.limits[bucket];
  }

  /** Counts one request against the bucket. A refused request doesn't use up budget. */
  take(bucket: OktaBucket): RateLimitDecision {
    const nowSeconds = this.now() / 1000;
    const window = Math.floor(nowSeconds / this.windowSeconds);
    const reset = (window + 1) * this.windowSeconds;
    const limit = this.limits[bucket];
    let state = this.used.get(bucket);
    if (!state || state.window !== window) this.used.set(bucket, (state = { window, count: 0 }));
    if (state.count >= limit) return { allowed: false, limit, remaining: 0, reset };
    state.count++;
    return { allowed: true, limit, remaining: limit - state.count, reset };
  }
}
