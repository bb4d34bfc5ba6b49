import type { HttpHandler } from 'msw';
import { route, type RouteInfo, type TenantContext } from '../instrument.js';
import type { OktaAuth } from './auth.js';
import { internalError, malformedBody, OktaError, rateLimitExceeded, serviceUnavailable } from './errors.js';
import { oktaToken } from './ids.js';
import type { OktaBucket, RateLimitDecision, RateLimiter } from './rate-limit.js';
import type { OktaStore } from './store.js';

/** What a handler answers; the wrapper turns it into a Response with Okta's common headers. */
export interface Reply {
  status: number;
  body?: unknown;
  /** Multi-valued headers (Link) are arrays. */
  headers?: Record<string, string | string[]>;
}

/** Everything the handlers share for one tenant. */
export interface OktaEnv {
  store: OktaStore;
  baseUrl: string;
  ctx: TenantContext;
  limiter: RateLimiter;
  auth: OktaAuth;
  /** The value of `X-Okta-Request-Id`, which the SDK echoes in `X-Okta-Retry-For`. */
  nextRequestId(): string;
}

/** Scopes any one of which lets an OAuth token through; `public` needs no credentials (the token endpoint). */
export type Access = readonly string[] | 'public';

type Method = 'get' | 'post' | 'put' | 'delete';

/**
 * Declares an Okta endpoint through the shared `route` (logging, injected faults), then applies, in
 * Okta's order as far as we know: rate limit, credentials, the handler. Every answer carries `Date`,
 * `X-Okta-Request-Id` and the bucket's `X-Rate-Limit-*` headers.
 */
export function endpoint(
  env: OktaEnv,
  method: Method,
  path: string,
  bucket: OktaBucket,
  access: Access,
  handle: (info: RouteInfo) => Reply | Promise<Reply>,
): HttpHandler {
  return route(env.ctx, method, path, async (info) => {
    const requestId = env.nextRequestId();
    const rate = env.limiter.take(bucket);
    let reply: Reply;
    try {
      if (!rate.allowed) throw rateLimitExceeded();
      if (access !== 'public') env.auth.authorize(info.request, access);
      reply = await handle(info);
    } catch (error) {
      if (!(error instanceof OktaError)) throw error;
      reply = errorReply(error, requestId);
    }
    return toResponse(reply, rate, requestId);
  });
}

export function errorReply(error: OktaError, requestId: string): Reply {
  return { status: error.status, body: error.body(`oae${requestId}`), headers: error.headers };
}

export function toResponse(reply: Reply, rate: RateLimitDecision, requestId: string): Response {
  const headers = new Headers();
  if (reply.body !== undefined) headers.set('Content-Type', 'application/json');
  headers.set('Date', new Date().toUTCString());
  headers.set('X-Okta-Request-Id', requestId);
  headers.set('X-Rate-Limit-Limit', String(rate.limit));
  headers.set('X-Rate-Limit-Remaining', String(rate.remaining));
  // set, never append: the SDK retries a 429 only when there is exactly one Reset header.
  headers.set('X-Rate-Limit-Reset', String(rate.reset));
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const body = reply.body === undefined ? null : JSON.stringify(reply.body);
  return new Response(body, { status: reply.status, headers });
}

/**
 * The 429 that injected rate-limit faults answer with. Reset is the next whole second, so the
 * SDK (which waits Reset − Date + 1 s) retries after one to two seconds.
 */
export function faultRateLimited(env: OktaEnv): Response {
  const requestId = env.nextRequestId();
  const reset = Math.ceil(Date.now() / 1000);
  return toResponse(
    errorReply(rateLimitExceeded(), requestId),
    { allowed: false, limit: 600, remaining: 0, reset },
    requestId,
  );
}

/**
 * The per-request throttle: 429 E0000047 with Remaining 0 and a Reset `seconds` after the whole
 * second that `Date` shows, so a client that waits Reset − Date waits exactly `seconds`. No
 * `Retry-After`: Okta documents only the `X-Rate-Limit-*` headers (whether it ever sends one is
 * UNCONFIRMED).
 */
export function faultThrottled(env: OktaEnv, seconds: number): Response {
  const requestId = env.nextRequestId();
  // Date and Reset from one reading of the clock, or a second boundary between them shifts the wait.
  const now = Date.now();
  const reply = errorReply(rateLimitExceeded(), requestId);
  return toResponse(
    { ...reply, headers: { ...reply.headers, Date: new Date(now).toUTCString() } },
    { allowed: false, limit: 600, remaining: 0, reset: Math.floor(now / 1000) + seconds },
    requestId,
  );
}

/** A 503 in Okta's error shape with `Retry-After: seconds`; the bucket headers are untouched. */
export function faultUnavailable(env: OktaEnv, seconds: number): Response {
  const requestId = env.nextRequestId();
  const reset = Math.ceil(Date.now() / 1000) + 60;
  const reply = errorReply(serviceUnavailable(), requestId);
  return toResponse(
    { ...reply, headers: { ...reply.headers, 'Retry-After': String(seconds) } },
    { allowed: true, limit: 600, remaining: 599, reset },
    requestId,
  );
}

export function faultServerError(env: OktaEnv): Response {
  const requestId = env.nextRequestId();
  const reset = Math.ceil(Date.now() / 1000) + 60;
  return toResponse(
    errorReply(internalError(), requestId),
    { allowed: true, limit: 600, remaining: 599, reset },
    requestId,
  );
}

/** Parses a JSON request body; a malformed one is Okta's E0000003. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformedBody();
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof OktaError) throw error;
    throw malformedBody();
  }
}

/** A deterministic request id generator for one tenant. */
export function requestIds(salt: number): () => string {
  let n = 0;
  return () => `sbx${oktaToken(salt, ++n, 17)}`;
}

export const param = (info: RouteInfo, name: string): string => {
  const value = info.params[name];
  return Array.isArray(value) ? String(value[0]) : String(value ?? '');
};

export const flag = (url: URL, name: string, fallback: boolean): boolean => {
  const raw = url.searchParams.get(name);
  return raw === null ? fallback : raw.toLowerCase() === 'true';
};
