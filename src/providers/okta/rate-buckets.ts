import type { BucketReading } from '../http/rate-limit.js';

/**
 * Okta counts rate limits per endpoint family, so accord paces each family on its own readings.
 * The families follow Okta's published buckets for the endpoints accord calls.
 */
export type OktaBucket =
  'users' | 'user' | 'lifecycle' | 'groups' | 'group-members' | 'apps' | 'logs' | 'oauth';

export function bucketOf(url: string): OktaBucket | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  if (/\/oauth2\/v1\/token$/.test(path)) return 'oauth';
  const api = /\/api\/v1\/(.*)$/.exec(path)?.[1];
  if (api === undefined) return undefined;
  if (/^users\/?$/.test(api)) return 'users';
  if (/^users\/[^/]+\/lifecycle\//.test(api)) return 'lifecycle';
  if (api.startsWith('users/')) return 'user';
  if (/^groups\/[^/]+\/users(\/|$)/.test(api)) return 'group-members';
  if (/^groups(\/|$)/.test(api)) return 'groups';
  if (/^apps(\/|$)/.test(api)) return 'apps';
  if (/^logs\/?$/.test(api)) return 'logs';
  return undefined;
}

type HeaderGetter = (name: string) => string | null | undefined;

/**
 * `X-Rate-Limit-Reset` is epoch seconds on Okta's clock; it is moved onto the local clock through
 * the response's `Date`, so a skewed local clock neither waits too long nor too little.
 */
export function rateReading(get: HeaderGetter, localNow: number): BucketReading | undefined {
  const number = (name: string) => {
    const raw = get(name);
    if (raw === null || raw === undefined || raw === '' || raw.includes(',')) return undefined;
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  };
  const limit = number('x-rate-limit-limit');
  const remaining = number('x-rate-limit-remaining');
  const reset = number('x-rate-limit-reset');
  if (limit === undefined && remaining === undefined && reset === undefined) return undefined;
  const reading: BucketReading = {};
  if (limit !== undefined) reading.limit = limit;
  if (remaining !== undefined) reading.remaining = remaining;
  const delay = resetDelayMs(get, localNow);
  if (delay !== undefined) reading.resetAtMs = localNow + delay;
  return reading;
}

/** How long until the bucket resets, by Okta's clock (the SDK's own formula, without its extra second). */
export function resetDelayMs(get: HeaderGetter, localNow: number): number | undefined {
  const raw = get('x-rate-limit-reset');
  // Several Reset values mean several buckets answered; none of them is reliable (the SDK agrees).
  if (!raw || raw.includes(',')) return undefined;
  const reset = Number(raw);
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  const serverNow = Date.parse(get('date') ?? '');
  return Math.max(0, reset * 1000 - (Number.isFinite(serverNow) ? serverNow : localNow));
}
