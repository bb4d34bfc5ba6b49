import { HttpResponse } from 'msw';
import type { RouteInfo, TenantContext } from '../instrument.js';
import { OneLoginApiError, badRequest, errorResponse, unauthorized } from './errors.js';
import { tooManyRequests } from './rate-limit.js';
import type { OneLoginStore } from './store.js';

export interface OneLoginContext {
  store: OneLoginStore;
  tenant: TenantContext;
}

/**
 * `POST /auth/oauth2/v2/token` takes the client's credentials as
 * `Authorization: client_id:<id>, client_secret:<secret>`, as HTTP Basic (what the Go SDK sends),
 * or as `client_id`/`client_secret` in a form or JSON body.
 */
export function clientCredentials(
  request: Request,
  body: Record<string, unknown>,
): { id: string; secret: string } | undefined {
  const header = request.headers.get('authorization') ?? '';
  const pair = /client_id\s*:\s*([^,\s]+)\s*,\s*client_secret\s*:\s*(\S+)/i.exec(header);
  if (pair) return { id: pair[1]!, secret: pair[2]! };
  const basic = /^basic\s+(\S+)$/i.exec(header.trim());
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  if (typeof body.client_id === 'string' && typeof body.client_secret === 'string')
    return { id: body.client_id, secret: body.client_secret };
  return undefined;
}

/** Reads a JSON or form body; an empty body is `{}`. Malformed JSON is a 400. */
export async function readBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) return {};
  const type = request.headers.get('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('Request body is not valid JSON');
  }
}

export function bearerToken(request: Request): string | undefined {
  // The docs show both `bearer <token>` and `bearer:<token>`; the scheme is case-insensitive.
  const m = /^bearer(?:\s+|\s*:\s*)(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  return m?.[1];
}

export async function tokenEndpoint(ctx: OneLoginContext, request: Request): Promise<Response> {
  const { store } = ctx;
  const headers = store.rateLimit.headers();
  try {
    const raw = await readBody(request);
    const body = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<
      string,
      unknown
    >;
    const creds = clientCredentials(request, body);
    if (!creds || creds.id !== store.clientId || creds.secret !== store.clientSecret) throw unauthorized();
    if (body.grant_type !== 'client_credentials') throw badRequest('grant_type must be client_credentials');
    const token = store.issueToken();
    return HttpResponse.json(
      {
        access_token: token.access_token,
        created_at: token.created_at,
        // Seconds this token has left: 36000 when new, less when an unexpired token is reused,
        // so both `now + expires_in` and `created_at + expires_in` are safe for a client.
        expires_in: Math.max(0, Math.floor((token.expires_at - store.now()) / 1000)),
        refresh_token: token.refresh_token,
        token_type: 'bearer',
        account_id: store.accountId,
      },
      { headers },
    );
  } catch (error) {
    if (error instanceof OneLoginApiError) return errorResponse(error, headers);
    throw error;
  }
}

/**
 * Wraps an API resolver: bearer token (401), then the hourly budget (429), then the resolver.
 * Errors the store throws become `{message, statusCode, name}` responses, and every response gets
 * the `X-RateLimit-*` headers. `counted: false` serves without spending budget (`/auth/rate_limit`).
 */
export function api(
  ctx: OneLoginContext,
  resolve: (info: RouteInfo) => Response | Promise<Response>,
  options: { counted?: boolean } = {},
): (info: RouteInfo) => Promise<Response> {
  return async (info) => {
    const { store } = ctx;
    const token = bearerToken(info.request);
    if (!token || !store.isValidToken(token)) return errorResponse(unauthorized(), store.rateLimit.headers());
    if (options.counted !== false && !store.rateLimit.consume()) return tooManyRequests(store.rateLimit);
    let response: Response;
    try {
      response = await resolve(info);
    } catch (error) {
      if (!(error instanceof OneLoginApiError)) throw error;
      response = errorResponse(error);
    }
    for (const [k, v] of Object.entries(store.rateLimit.headers())) response.headers.set(k, v);
    return response;
  };
}
