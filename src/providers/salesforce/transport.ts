import type { Connection, HttpRequest, HttpRequestOptions } from 'jsforce';
import type { PlatformId } from '../../model/snapshot.js';
import type { ProviderEvents } from '../provider.js';
import { requestPath } from '../http/events.js';
import { SalesforceHttpError } from './errors.js';

/**
 * accord's hook into every HTTP exchange of an org connection (queries, collections, Bulk API
 * 2.0; not the OAuth token calls, which have their own transport), installed on jsforce's
 * `conn._transport.httpRequest`:
 *
 * - 429 and 503 are thrown as SalesforceHttpError with their status and Retry-After, which
 *   jsforce's HttpApiError drops, so withRetry can tell a burst from the daily limit and wait as
 *   long as Salesforce asks. jsforce's own retry loop (GET, PUT, DELETE only, a fixed 500 ms
 *   doubling) is told to leave those two alone; it still retries 420, 500, 502 and 504.
 * - every response's `Sforce-Limit-Info` goes to `onLimitInfo`, 429s and 503s included.
 * - every exchange is reported to the request sink, when there is one.
 */

/** What jsforce's own retry loop (GET, PUT, DELETE only) may do; tests shorten the waits. */
export interface TransportRetry {
  maxRetries?: number;
  minTimeout?: number;
  timeoutFactor?: number;
}

/** jsforce's default list, less the two that carry a Retry-After accord honours itself. */
const JSFORCE_RETRY_STATUSES = [420, 429, 500, 502, 503, 504];
const OURS = new Set([429, 503]);

export interface TransportHooks {
  platform: PlatformId;
  retry?: TransportRetry;
  events?: ProviderEvents;
  now?: () => number;
  onLimitInfo?: (used: number, limit: number) => void;
}

type RequestResult = ReturnType<Connection['_transport']['httpRequest']>;

/** `api-usage=10018/100000` (newer versions add `; api-bursts=...`). */
export function parseLimitInfo(value: string | undefined): { used: number; limit: number } | undefined {
  const match = /api-usage=(\d+)\/(\d+)/.exec(value ?? '');
  return match ? { used: Number(match[1]), limit: Number(match[2]) } : undefined;
}

/** Salesforce's error array `[{message, errorCode}]`, or the bare status when the body is not one. */
function throttleError(status: number, headers: Record<string, string>, body: string): SalesforceHttpError {
  let first: { message?: unknown; errorCode?: unknown } | undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    const item = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
    if (item && typeof item === 'object') first = item as typeof first;
  } catch {
    // Not JSON (a load balancer's page): the status says enough.
  }
  const code = typeof first?.errorCode === 'string' ? first.errorCode : `ERROR_HTTP_${status}`;
  const message =
    typeof first?.message === 'string' ? first.message : status === 429 ? 'Too Many Requests' : 'Unavailable';
  return new SalesforceHttpError(status, code, message, headers['retry-after'], headers.date);
}

export function hookTransport(conn: Connection, hooks: TransportHooks): void {
  const transport = conn._transport;
  const httpRequest = transport.httpRequest.bind(transport);
  const now = hooks.now ?? Date.now;
  const sink = hooks.events?.request;
  transport.httpRequest = (request: HttpRequest, options: HttpRequestOptions = {}) => {
    const statusCodes = (options.retry?.statusCodes ?? JSFORCE_RETRY_STATUSES).filter((s) => !OURS.has(s));
    const original = httpRequest(request, {
      ...options,
      retry: { ...hooks.retry, ...options.retry, statusCodes },
    });
    const started = now();
    const report = (status?: number) =>
      sink?.({
        platform: hooks.platform,
        method: request.method,
        path: requestPath(request.url),
        ...(status !== undefined ? { status } : {}),
        ms: now() - started,
      });
    const checked = original.then(
      (response) => {
        report(response.statusCode);
        const usage = parseLimitInfo(response.headers['sforce-limit-info']);
        if (usage) hooks.onLimitInfo?.(usage.used, usage.limit);
        if (OURS.has(response.statusCode))
          throw throttleError(response.statusCode, response.headers, response.body);
        return response;
      },
      (error: unknown) => {
        report();
        throw error;
      },
    ) as RequestResult;
    // HttpApi pipes the body through the stream of the original request; keep handing it that one.
    checked.stream = () => original.stream();
    return checked;
  };
}
