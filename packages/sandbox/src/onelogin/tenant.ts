import type { HttpHandler } from 'msw';
import type { Instrument, TenantContext } from '../instrument.js';
import type { SandboxTenant } from '../tenant.js';
import type { OneLoginContext } from './auth.js';
import { serverErrorResponse, unavailableResponse } from './errors.js';
import { appHandlers } from './handlers/apps.js';
import { authHandlers } from './handlers/auth.js';
import { deviceHandlers } from './handlers/devices.js';
import { eventHandlers } from './handlers/events.js';
import { roleHandlers } from './handlers/roles.js';
import { userHandlers } from './handlers/users.js';
import { throttled, tooManyRequests } from './rate-limit.js';
import type { OneLoginStore } from './store.js';

export interface OneLoginTenantOptions {
  /** Hourly API budget (default: the store's, 5000). Spending it gives 429s until the hour ends. */
  rateLimitPerHour?: number;
}

/**
 * The OneLogin account served on `baseUrl` (e.g. `https://globex.onelogin.test`, or the loopback
 * server's URL). Every endpoint is declared through `route()`, so it is logged and can be faulted.
 */
export function oneloginTenant(
  store: OneLoginStore,
  baseUrl: string,
  instrument: Instrument,
  options: OneLoginTenantOptions = {},
): SandboxTenant {
  if (options.rateLimitPerHour !== undefined) store.rateLimit.limitPerHour = options.rateLimitPerHour;
  const base = baseUrl.replace(/\/+$/, '');
  const tenant: TenantContext = {
    tenant: 'onelogin',
    baseUrl: base,
    instrument,
    // An injected rate-limit fault looks exactly like a spent budget.
    rateLimited: () => tooManyRequests(store.rateLimit),
    serverError: () => {
      const response = serverErrorResponse();
      for (const [k, v] of Object.entries(store.rateLimit.headers())) response.headers.set(k, v);
      return response;
    },
    throttled: (seconds) => throttled(store.rateLimit, seconds),
    unavailable: (seconds) => unavailableResponse(seconds, store.rateLimit.headers()),
  };
  const ctx: OneLoginContext = { store, tenant };
  const handlers: HttpHandler[] = [
    ...authHandlers(ctx),
    ...userHandlers(ctx),
    ...roleHandlers(ctx),
    ...appHandlers(ctx),
    ...deviceHandlers(ctx),
    ...eventHandlers(ctx),
  ];
  return {
    id: 'onelogin',
    handlers,
    env: {
      ONELOGIN_URL: base,
      ONELOGIN_CLIENT_ID: store.clientId,
      ONELOGIN_CLIENT_SECRET: store.clientSecret,
    },
  };
}
