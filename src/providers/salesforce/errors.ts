import { AccordError, isAccordError } from '../../errors.js';
import { connectionError, redact } from '../http/connection-error.js';
import { isNetworkError, type RetryDecision } from '../http/retry.js';
import { throttleDecision } from '../http/retry-after.js';

/**
 * How jsforce failures are sorted: transient (retried by withRetry), fatal for the whole run
 * (daily limit, credentials, unreachable org: an AccordError), or about the change at hand.
 * jsforce's HttpApiError carries Salesforce's `errorCode` but not the HTTP status, so the codes
 * decide, except for 429 and 503: the session's transport throws those as SalesforceHttpError,
 * with the status and Retry-After, because `429 REQUEST_LIMIT_EXCEEDED` is a burst to wait out
 * while `403 REQUEST_LIMIT_EXCEEDED` is the daily limit.
 */

/** A 429 or 503 answer, with what jsforce's own error leaves out: the status and the wait. */
export class SalesforceHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly retryAfter: string | undefined,
    readonly date: string | undefined,
  ) {
    super(`${message} (HTTP ${status})`);
    this.name = errorCode;
  }
}

/** Whether this is the per-request throttle or unavailability, which is waited out, not the daily limit. */
export const isThrottle = (error: unknown): error is SalesforceHttpError =>
  error instanceof SalesforceHttpError && (error.status === 429 || error.status === 503);

const TRANSIENT_CODES = new Set(['UNKNOWN_EXCEPTION', 'SERVER_UNAVAILABLE', 'REQUEST_RUNNING_TOO_LONG']);
const TRANSIENT_HTTP = /^ERROR_HTTP_(420|429|500|502|503|504)$/;
const AUTH_CODES = new Set(['INVALID_SESSION_ID', 'INVALID_AUTH_HEADER']);

export function errorCodeOf(error: unknown): string | undefined {
  if (error && typeof error === 'object') {
    const code = (error as { errorCode?: unknown }).errorCode;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

export function classifySalesforceError(error: unknown, now: number = Date.now()): RetryDecision {
  if (isAccordError(error)) return { retry: false };
  if (isThrottle(error))
    return throttleDecision({
      reason: `${error.status === 429 ? 'throttled' : 'unavailable'} (${error.status} ${error.errorCode})`,
      error,
      retryAfter: error.retryAfter,
      date: error.date,
      now,
    });
  const code = errorCodeOf(error);
  // The daily limit (a 403) is not a burst: waiting seconds does not help, and retrying spends more of it.
  if (code === 'REQUEST_LIMIT_EXCEEDED') return { retry: false };
  if (code !== undefined && (TRANSIENT_CODES.has(code) || TRANSIENT_HTTP.test(code)))
    return { retry: true, reason: code };
  if (isNetworkError(error)) return { retry: true, reason: 'network error' };
  return { retry: false };
}

export interface ErrorContext {
  platform: string;
  /** Variables that together make the connection, for the "check ..." part. */
  variables: string[];
  secrets: string[];
  url?: string;
}

export function dailyLimitExceeded(platform: string): AccordError {
  return new AccordError(
    `${platform}: daily API limit exceeded (REQUEST_LIMIT_EXCEEDED); Salesforce refuses further calls`,
    {
      code: 'limits.daily-exceeded',
      hint: 'Salesforce counts API calls over a rolling 24 hours; run again later, or raise apiReserve so accord stops earlier',
    },
  );
}

/** The run-stopping form of an error, or undefined when the error belongs to one change or query. */
export function fatalError(error: unknown, context: ErrorContext): AccordError | undefined {
  if (isAccordError(error)) return error;
  const code = errorCodeOf(error);
  if (code === 'REQUEST_LIMIT_EXCEEDED' && !isThrottle(error)) return dailyLimitExceeded(context.platform);
  if ((code !== undefined && AUTH_CODES.has(code)) || isNetworkError(error))
    return connectionError(context.platform, context.variables, error, {
      url: context.url,
      secrets: context.secrets,
    });
  return undefined;
}

/** One line for a ChangeResult: `CODE: message`, without HTML breaks or secrets. */
export function oneLine(text: string, secrets: string[] = []): string {
  const flat = text
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // Redacted before it is cut: a secret cut in half would no longer match.
  const safe = redact(flat, secrets);
  return safe.length > 300 ? `${safe.slice(0, 299)}…` : safe;
}

export function describeError(error: unknown, secrets: string[] = []): string {
  const code = errorCodeOf(error);
  const message =
    error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string'
      ? (error as { message: string }).message
      : String(error);
  return oneLine(code && !message.startsWith(code) ? `${code}: ${message}` : message, secrets);
}

/** A per-record error of a SaveResult; Salesforce names it `statusCode`, jsforce's type `errorCode`. */
export function describeSaveErrors(errors: readonly unknown[]): string {
  if (errors.length === 0) return 'failed without an error message';
  return oneLine(
    errors
      .map((e) => {
        const r = (e ?? {}) as { statusCode?: unknown; errorCode?: unknown; message?: unknown };
        const code = typeof r.statusCode === 'string' ? r.statusCode : r.errorCode;
        return `${typeof code === 'string' ? `${code}: ` : ''}${String(r.message ?? '')}`;
      })
      .join('; '),
  );
}

export function saveErrorCodes(errors: readonly unknown[]): string[] {
  return errors.map((e) => {
    const r = (e ?? {}) as { statusCode?: unknown; errorCode?: unknown };
    return String(r.statusCode ?? r.errorCode ?? '');
  });
}
