import { HttpResponse } from 'msw';
import { SoqlError } from '../soql/index.js';
import { RecordError, RequestError } from '../errors.js';
import { route, type RouteInfo, type TenantContext } from '../../instrument.js';
import type { SalesforceStore } from '../store.js';

/**
 * The pipeline every `/services/data/vNN.N/...` request goes through, in Salesforce's order:
 * version, session, daily API budget; then the handler, whose thrown errors become the REST
 * error bodies. `Sforce-Limit-Info` goes on every response, errors included.
 */

export interface SfContext {
  tenant: TenantContext;
  store: SalesforceStore;
}

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface DataRequest extends RouteInfo {
  /** Without the leading 'v', e.g. '62.0'. */
  version: string;
  param(name: string): string;
}

const VERSION = /^v(\d{2,3}\.\d)$/;

export function limitInfo(store: SalesforceStore): string {
  return `api-usage=${store.apiUsed}/${store.dailyApiLimit}`;
}

export function json(store: SalesforceStore, body: unknown, status = 200): Response {
  return new HttpResponse(JSON.stringify(body), {
    status,
    headers: { 'Sforce-Limit-Info': limitInfo(store), 'Content-Type': 'application/json;charset=UTF-8' },
  });
}

export function noContent(store: SalesforceStore, status = 204): Response {
  return new HttpResponse(null, { status, headers: { 'Sforce-Limit-Info': limitInfo(store) } });
}

export function csv(store: SalesforceStore, body: string): Response {
  return new HttpResponse(body, {
    status: 200,
    headers: { 'Sforce-Limit-Info': limitInfo(store), 'Content-Type': 'text/csv' },
  });
}

export function apiError(
  store: SalesforceStore,
  status: number,
  errorCode: string,
  message: string,
): Response {
  return json(store, [{ message, errorCode }], status);
}

export const requestLimitExceeded = (store: SalesforceStore) =>
  apiError(store, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');

function withRetryAfter(response: Response, seconds: number): Response {
  response.headers.set('Retry-After', String(seconds));
  return response;
}

/**
 * A concurrency or burst refusal: 429 with the daily limit's own error code but a Retry-After,
 * which is how a client tells the two apart. UNCONFIRMED: the reference has Salesforce never use
 * 429 for the daily limit, but not this message; it is the emulator's own.
 */
export const throttled = (store: SalesforceStore, seconds: number) =>
  withRetryAfter(
    apiError(store, 429, 'REQUEST_LIMIT_EXCEEDED', 'Too many concurrent requests; retry later.'),
    seconds,
  );

/** 503 SERVER_UNAVAILABLE (an ExceptionCode); the message is UNCONFIRMED. */
export const unavailable = (store: SalesforceStore, seconds: number) =>
  withRetryAfter(
    apiError(
      store,
      503,
      'SERVER_UNAVAILABLE',
      'Server unavailable; the org is in maintenance or overloaded.',
    ),
    seconds,
  );

export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization') ?? '';
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header);
  return match?.[1];
}

export function isValidToken(store: SalesforceStore, token: string | undefined): boolean {
  return token !== undefined && (token === store.credentials.accessToken || store.issuedTokens.has(token));
}

export function errorResponse(store: SalesforceStore, e: unknown): Response {
  if (e instanceof RequestError) return json(store, e.body(), e.status);
  if (e instanceof SoqlError) return apiError(store, 400, e.errorCode, e.message);
  if (e instanceof RecordError)
    return json(store, [{ message: e.message, errorCode: e.statusCode, fields: e.fields }], 400);
  return apiError(
    store,
    500,
    'UNKNOWN_EXCEPTION',
    `An unexpected error occurred. Please include this ErrorId if you contact support: ${String((e as Error)?.message ?? e)}`,
  );
}

/** Declares an endpoint under `/services/data/:version`. */
export function dataRoute(
  ctx: SfContext,
  method: Method,
  path: string,
  resolve: (req: DataRequest) => Response | Promise<Response>,
) {
  const { store } = ctx;
  return route(ctx.tenant, method, `/services/data/:version${path}`, async (info) => {
    const version = VERSION.exec(String(info.params.version ?? ''))?.[1];
    if (!version) return apiError(store, 404, 'NOT_FOUND', 'The requested resource does not exist');
    if (!isValidToken(store, bearerToken(info.request)))
      return apiError(store, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (store.apiUsed >= store.dailyApiLimit) return requestLimitExceeded(store);
    store.apiUsed++;
    const param = (name: string) => {
      const v = info.params[name];
      return Array.isArray(v) ? v.join('/') : String(v ?? '');
    };
    try {
      return await resolve({ ...info, version, param });
    } catch (e) {
      return errorResponse(store, e);
    }
  });
}

export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RequestError(400, 'JSON_PARSER_ERROR', 'Unexpected character: was expecting a JSON value');
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
