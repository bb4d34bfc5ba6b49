import type { Instrument, TenantContext } from '../instrument.js';
import type { SandboxTenant } from '../tenant.js';
import { OKTA_SANDBOX_TOKEN, OktaAuth } from './auth.js';
import { notFound } from './errors.js';
import { appHandlers } from './handlers/apps.js';
import { factorHandlers } from './handlers/factors.js';
import { groupHandlers } from './handlers/groups.js';
import { lifecycleHandlers } from './handlers/lifecycle.js';
import { logHandlers } from './handlers/logs.js';
import { userHandlers } from './handlers/users.js';
import {
  endpoint,
  faultRateLimited,
  faultServerError,
  faultThrottled,
  faultUnavailable,
  requestIds,
  type OktaEnv,
} from './http.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import type { OktaStore } from './store.js';

export interface OktaTenantOptions {
  /** Rate-limit budgets per bucket and the window length. */
  rateLimits?: RateLimitOptions;
  /** The `SSWS` token the tenant accepts (default `OKTA_SANDBOX_TOKEN`). */
  apiToken?: string;
}

export interface OktaSandboxTenant extends SandboxTenant {
  id: 'okta';
  store: OktaStore;
  /** Change budgets while the tenant runs (e.g. a tiny budget to provoke 429s). */
  rateLimits: RateLimiter;
}

/** The Okta org as msw handlers on `baseUrl`, every route declared through the shared `route`. */
export function oktaTenant(
  store: OktaStore,
  baseUrl: string,
  instrument: Instrument,
  options: OktaTenantOptions = {},
): OktaSandboxTenant {
  const base = baseUrl.replace(/\/+$/, '');
  const apiToken = options.apiToken ?? OKTA_SANDBOX_TOKEN;
  const limiter = new RateLimiter(options.rateLimits);
  const env: OktaEnv = {
    store,
    baseUrl: base,
    limiter,
    auth: new OktaAuth(store, base, apiToken),
    nextRequestId: requestIds(0x0c7a),
    ctx: undefined as unknown as TenantContext,
  };
  const ctx: TenantContext = {
    tenant: 'okta',
    baseUrl: base,
    instrument,
    rateLimited: () => faultRateLimited(env),
    serverError: () => faultServerError(env),
    throttled: (seconds) => faultThrottled(env, seconds),
    unavailable: (seconds) => faultUnavailable(env, seconds),
  };
  env.ctx = ctx;

  const handlers = [
    endpoint(env, 'post', '/oauth2/v1/token', 'oauth', 'public', ({ request }) =>
      env.auth.issueToken(request),
    ),
    ...userHandlers(env),
    ...lifecycleHandlers(env),
    ...groupHandlers(env),
    ...appHandlers(env),
    ...logHandlers(env),
    ...factorHandlers(env, () => store.factors),
    // UNCONFIRMED: what Okta answers for an unknown API path; a 404 E0000007 in Okta's shape.
    ...(['get', 'post', 'put', 'delete'] as const).map((method) =>
      endpoint(env, method, '/api/v1/*', 'user', 'public', ({ url }) => {
        throw notFound(url.pathname);
      }),
    ),
  ];
  return {
    id: 'okta',
    handlers,
    env: { OKTA_ORG_URL: base, OKTA_API_TOKEN: apiToken },
    store,
    rateLimits: limiter,
  };
}
