import { HttpResponse, delay, http, type HttpHandler } from 'msw';
import { createRng, type Rng } from './rng.js';

/**
 * Instrumentation shared by the three emulators: a request log with counters that tests and
 * benchmarks assert on (API-call counts are deterministic), and injected faults that are
 * deterministic under a seed.
 */

/** 'okta', 'onelogin', or 'salesforce:<org>'. */
export type TenantId = string;

export interface RequestRecord {
  /** Sequence number over all tenants, from 1. */
  seq: number;
  tenant: TenantId;
  method: string;
  /** Route template, e.g. `/api/v1/users/:userId`. Counters group by it. */
  route: string;
  /** Path and query as requested. */
  url: string;
  status: number;
  /** Which fault, if any, produced the response instead of the emulator. */
  fault?: FaultKind;
}

/**
 * `rate-limit` is each platform's budget running out (Okta's bucket, OneLogin's hour, Salesforce's
 * daily limit as 403 REQUEST_LIMIT_EXCEEDED); `throttle` is a per-request refusal that says to come
 * back in `retryAfterSeconds` (a 429); `unavailable` is a 503 with `Retry-After`.
 */
export type FaultKind = 'rate-limit' | 'server-error' | 'reset' | 'timeout' | 'throttle' | 'unavailable';

/** Faults for one tenant (or, under `'*'`, every tenant). Probabilities are per request. */
export interface FaultConfig {
  /** Added latency per request in ms. */
  latencyMs?: number;
  /** Probability that a request gets a 429 (or the platform's equivalent). */
  rateLimitRate?: number;
  /** Every Nth request starts a burst of `burstLength` 429s. */
  burstEvery?: number;
  burstLength?: number;
  /** Probability of a 500/503. */
  serverErrorRate?: number;
  /** Probability that the connection is reset (a network error for the client). */
  resetRate?: number;
  /** Probability that the request hangs for `timeoutMs` and then resets. */
  timeoutRate?: number;
  timeoutMs?: number;
  /** Only these methods suffer faults (e.g. ['POST'] to hit writes only). Default: all. */
  methods?: string[];
  /** Probability of a per-request throttle: the platform's 429 saying when to come back. */
  throttleRate?: number;
  /** Probability of a 503 with `Retry-After`. */
  unavailableRate?: number;
  /** The wait that throttle and unavailable faults announce, in seconds. @default 1 */
  retryAfterSeconds?: number;
}

export interface RequestFilter {
  tenant?: TenantId | ((tenant: TenantId) => boolean);
  method?: string;
  route?: string;
  /** Count faulted requests too (default true). */
  includeFaults?: boolean;
}

export class Instrument {
  readonly log: RequestRecord[] = [];
  private readonly faults = new Map<TenantId, FaultConfig>();
  private rng: Rng;
  private seq = 0;
  private readonly burstLeft = new Map<TenantId, number>();
  private readonly perTenantCount = new Map<TenantId, number>();
  /** Stop recording every request once the log is this long (benchmarks at 100k people). */
  maxLogLength = 1_000_000;

  constructor(seed = 1) {
    this.rng = createRng(seed);
  }

  /** Sets faults for a tenant, `'salesforce:*'` for every org, or `'*'` for everything. */
  setFaults(tenant: TenantId | '*', config: FaultConfig | undefined, seed?: number): void {
    if (config) this.faults.set(tenant, config);
    else this.faults.delete(tenant);
    if (seed !== undefined) this.rng = createRng(seed);
  }

  clearFaults(): void {
    this.faults.clear();
    this.burstLeft.clear();
  }

  reset(): void {
    this.log.length = 0;
    this.seq = 0;
    this.perTenantCount.clear();
  }

  record(entry: Omit<RequestRecord, 'seq'>): void {
    this.seq++;
    if (this.log.length < this.maxLogLength) this.log.push({ seq: this.seq, ...entry });
  }

  /** Number of requests that match the filter. */
  count(filter: RequestFilter = {}): number {
    return this.requests(filter).length;
  }

  requests(filter: RequestFilter = {}): RequestRecord[] {
    const tenantMatches =
      typeof filter.tenant === 'function'
        ? filter.tenant
        : filter.tenant === undefined
          ? () => true
          : (t: TenantId) => t === filter.tenant;
    return this.log.filter(
      (r) =>
        tenantMatches(r.tenant) &&
        (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
        (filter.route === undefined || r.route === filter.route) &&
        (filter.includeFaults !== false || r.fault === undefined),
    );
  }

  /** Counts by `tenant method route`, for printing in benchmarks and debugging tests. */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.log) {
      const key = `${r.tenant} ${r.method} ${r.route}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  private configFor(tenant: TenantId): FaultConfig | undefined {
    const platformWide = tenant.includes(':') ? `${tenant.split(':')[0]}:*` : undefined;
    return (
      this.faults.get(tenant) ??
      (platformWide ? this.faults.get(platformWide) : undefined) ??
      this.faults.get('*')
    );
  }

  /** Decides whether this request suffers a fault. Deterministic for a given seed and request order. */
  async decide(tenant: TenantId, method: string): Promise<FaultKind | undefined> {
    const config = this.configFor(tenant);
    if (!config) return undefined;
    if (config.latencyMs) await delay(config.latencyMs);
    if (config.methods && !config.methods.includes(method)) return undefined;
    const n = (this.perTenantCount.get(tenant) ?? 0) + 1;
    this.perTenantCount.set(tenant, n);
    const left = this.burstLeft.get(tenant) ?? 0;
    if (left > 0) {
      this.burstLeft.set(tenant, left - 1);
      return 'rate-limit';
    }
    if (config.burstEvery && n % config.burstEvery === 0) {
      this.burstLeft.set(tenant, Math.max(0, (config.burstLength ?? 1) - 1));
      return 'rate-limit';
    }
    if (this.rng.chance(config.rateLimitRate ?? 0)) return 'rate-limit';
    if (this.rng.chance(config.serverErrorRate ?? 0)) return 'server-error';
    if (this.rng.chance(config.resetRate ?? 0)) return 'reset';
    if (this.rng.chance(config.timeoutRate ?? 0)) {
      await delay(config.timeoutMs ?? 2000);
      return 'timeout';
    }
    // Drawn last, so that configs without them see the same faults under a seed as before.
    if (this.rng.chance(config.throttleRate ?? 0)) return 'throttle';
    if (this.rng.chance(config.unavailableRate ?? 0)) return 'unavailable';
    return undefined;
  }

  /** The Retry-After of this tenant's throttle and unavailable faults. */
  retryAfterSeconds(tenant: TenantId): number {
    return this.configFor(tenant)?.retryAfterSeconds ?? 1;
  }
}

/** What each emulator tells the shared route helper about its platform. */
export interface TenantContext {
  tenant: TenantId;
  /** Base URL the handlers answer on, without a trailing slash, e.g. `http://127.0.0.1:4010`. */
  baseUrl: string;
  instrument: Instrument;
  /** The platform's own answer to a rate-limit fault (Okta 429 E0000047, ...). */
  rateLimited(): Response;
  /** The platform's own 5xx body. */
  serverError(): Response;
  /** The platform's per-request 429, announcing a retry after `seconds`. */
  throttled(seconds: number): Response;
  /** The platform's 503, with `Retry-After: seconds`. */
  unavailable(seconds: number): Response;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteInfo {
  request: Request;
  params: Record<string, string | readonly string[] | undefined>;
  url: URL;
}

/**
 * Declares one emulated endpoint. Every route goes through here, so every request is logged and
 * may suffer the configured faults before the emulator sees it.
 * `path` is relative to the tenant's base URL and uses msw's `:param` syntax.
 */
export function route(
  ctx: TenantContext,
  method: Method,
  path: string,
  resolve: (info: RouteInfo) => Response | Promise<Response>,
): HttpHandler {
  const upper = method.toUpperCase();
  return http[method](`${ctx.baseUrl}${path}`, async ({ request, params }) => {
    const url = new URL(request.url);
    const shown = `${url.pathname}${url.search}`;
    const fault = await ctx.instrument.decide(ctx.tenant, upper);
    if (fault) {
      const response = faultResponse(ctx, fault);
      ctx.instrument.record({
        tenant: ctx.tenant,
        method: upper,
        route: path,
        url: shown,
        status: response.status,
        fault,
      });
      return response;
    }
    const response = await resolve({ request, params: params as RouteInfo['params'], url });
    ctx.instrument.record({
      tenant: ctx.tenant,
      method: upper,
      route: path,
      url: shown,
      status: response.status,
    });
    return response;
  });
}

function faultResponse(ctx: TenantContext, fault: FaultKind): Response {
  switch (fault) {
    case 'rate-limit':
      return ctx.rateLimited();
    case 'server-error':
      return ctx.serverError();
    case 'throttle':
      return ctx.throttled(ctx.instrument.retryAfterSeconds(ctx.tenant));
    case 'unavailable':
      return ctx.unavailable(ctx.instrument.retryAfterSeconds(ctx.tenant));
    default:
      return HttpResponse.error();
  }
}
