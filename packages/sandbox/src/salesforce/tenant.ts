import type { Instrument, TenantContext } from '../instrument.js';
import type { SandboxTenant } from '../tenant.js';
import { bulk2Handlers } from './handlers/bulk2.js';
import { compositeHandlers } from './handlers/composite.js';
import {
  apiError,
  json,
  requestLimitExceeded,
  throttled,
  unavailable,
  type SfContext,
} from './handlers/context.js';
import { oauthHandlers } from './handlers/oauth.js';
import { queryHandlers } from './handlers/query.js';
import { sobjectHandlers } from './handlers/sobjects.js';
import { limitsHandlers } from './limits.js';
import { dataRoute } from './handlers/context.js';
import { route } from '../instrument.js';
import type { SalesforceStore } from './store.js';

/** Highest API version the sandbox claims; any vNN.N path is served all the same. */
const LATEST = 62;

/** One Salesforce org served on `baseUrl`: tenant id `salesforce:<org>`. */
export function salesforceTenant(
  store: SalesforceStore,
  baseUrl: string,
  instrument: Instrument,
): SandboxTenant {
  const base = baseUrl.replace(/\/+$/, '');
  const tenant: TenantContext = {
    tenant: `salesforce:${store.org}`,
    baseUrl: base,
    instrument,
    // The daily limit is a 403 REQUEST_LIMIT_EXCEEDED, never a 429.
    rateLimited: () => requestLimitExceeded(store),
    throttled: (seconds) => throttled(store, seconds),
    unavailable: (seconds) => unavailable(store, seconds),
    serverError: () =>
      apiError(
        store,
        500,
        'UNKNOWN_EXCEPTION',
        'An unexpected error occurred. Please include this ErrorId if you contact support: 1923847561-12345 (-1234567890)',
      ),
  };
  const ctx: SfContext = { tenant, store };
  const versions = Array.from({ length: LATEST - 30 + 1 }, (_, i) => {
    const version = `${30 + i}.0`;
    return { label: `API ${version}`, url: `/services/data/v${version}`, version };
  });
  const handlers = [
    ...oauthHandlers(ctx),
    route(tenant, 'get', '/services/data', () => json(store, versions)),
    ...limitsHandlers(ctx),
    ...queryHandlers(ctx),
    ...compositeHandlers(ctx),
    ...sobjectHandlers(ctx),
    ...bulk2Handlers(ctx),
    dataRoute(ctx, 'get', '', (req) =>
      json(
        store,
        Object.fromEntries(
          ['sobjects', 'query', 'queryAll', 'limits', 'composite', 'jobs'].map((r) => [
            r,
            `/services/data/v${req.version}/${r}`,
          ]),
        ),
      ),
    ),
  ];
  const ORG = store.org.toUpperCase();
  const { accessToken, clientId, clientSecret } = store.credentials;
  return {
    id: tenant.tenant,
    handlers,
    env: {
      [`SF_${ORG}_INSTANCE_URL`]: base,
      [`SF_${ORG}_ACCESS_TOKEN`]: accessToken,
      [`SF_${ORG}_LOGIN_URL`]: base,
      [`SF_${ORG}_CLIENT_ID`]: clientId,
      [`SF_${ORG}_CLIENT_SECRET`]: clientSecret,
      [`SF_${ORG}_USERNAME`]: store.adminUsername,
    },
  };
}
