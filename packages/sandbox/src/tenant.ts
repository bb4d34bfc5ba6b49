import type { HttpHandler } from 'msw';
import type { TenantId } from './instrument.js';

/**
 * One emulated tenant (the Okta org, the OneLogin account, or one Salesforce org), ready to be
 * served: by msw's `setupServer` in tests, or by the loopback HTTP server of `accord sandbox`.
 */
export interface SandboxTenant {
  id: TenantId;
  /** Handlers that answer on the tenant's base URL. */
  handlers: HttpHandler[];
  /**
   * Environment variables that point accord (or any client) at this tenant, with the names the
   * policy's connection defaults use, e.g. `OKTA_ORG_URL` and `OKTA_API_TOKEN`. The credentials
   * are sandbox-only values, not secrets.
   */
  env: Record<string, string>;
}
