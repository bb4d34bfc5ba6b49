import { HttpResponse, type HttpHandler } from 'msw';
import { route } from '../../instrument.js';
import { api, tokenEndpoint, type OneLoginContext } from '../auth.js';

export function authHandlers(ctx: OneLoginContext): HttpHandler[] {
  const { store, tenant } = ctx;
  return [
    route(tenant, 'post', '/auth/oauth2/v2/token', ({ request }) => tokenEndpoint(ctx, request)),
    // Reading the budget doesn't spend it; the body keeps the documented v1-style wrapper.
    route(
      tenant,
      'get',
      '/auth/rate_limit',
      api(
        ctx,
        () => {
          const s = store.rateLimit.snapshot();
          return HttpResponse.json({
            status: { error: false, code: 200, type: 'success', message: 'Success' },
            data: {
              'X-RateLimit-Limit': s.limit,
              'X-RateLimit-Remaining': s.remaining,
              'X-RateLimit-Reset': s.reset,
            },
          });
        },
        { counted: false },
      ),
    ),
  ];
}
