import { AccordError, isAccordError } from '../../errors.js';
import { connectionError, redact } from '../http/connection-error.js';
import { isNetworkError, networkErrorCode, type RetryDecision } from '../http/retry.js';
import { throttleDecision } from '../http/retry-after.js';
import { resetDelayMs } from './rate-buckets.js';

/**
 * What accord makes of the SDK's errors: `OktaApiError` (a JSON error body: status, errorCode,
 * errorSummary, errorCauses), `HttpError` (any other non-2xx), and node-fetch's network errors.
 */

interface OktaErrorLike {
  status?: unknown;
  errorCode?: unknown;
  errorSummary?: unknown;
  errorCauses?: unknown;
  url?: unknown;
  headers?: unknown;
  message?: unknown;
}

const asError = (error: unknown): OktaErrorLike =>
  error && typeof error === 'object' ? (error as OktaErrorLike) : {};

export function httpStatus(error: unknown): number | undefined {
  const status = asError(error).status;
  return typeof status === 'number' && status >= 100 && status < 600 ? status : undefined;
}

/** Header lookup on the error: node-fetch's Headers or a plain record. */
function headerGetter(error: unknown): (name: string) => string | null | undefined {
  const headers = asError(error).headers;
  if (headers && typeof (headers as Headers).get === 'function') {
    return (name) => (headers as Headers).get(name);
  }
  if (headers && typeof headers === 'object') {
    const record = headers as Record<string, unknown>;
    return (name) => {
      const value = record[name] ?? record[name.toLowerCase()];
      return typeof value === 'string' ? value : undefined;
    };
  }
  return () => undefined;
}

/**
 * Retry 429 and 503 after the wait Okta announces, other 5xx and network failures after a
 * backoff; nothing else. For a 429 the wait is `Retry-After` when present (Okta documents only
 * the `X-Rate-Limit-*` headers, so whether it ever sends one is UNCONFIRMED; honouring it costs
 * nothing), else the bucket's `X-Rate-Limit-Reset`. A 401 is not retried here: in OAuth mode the
 * SDK itself fetches a fresh token and repeats the call once.
 */
export function classifyOktaError(error: unknown, localNow: () => number = Date.now): RetryDecision {
  if (isAccordError(error)) return { retry: false };
  const status = httpStatus(error);
  if (status === 429 || status === 503) {
    const get = headerGetter(error);
    const now = localNow();
    const code = asError(error).errorCode;
    const what = status === 429 ? 'throttled' : 'unavailable';
    return throttleDecision({
      reason: `${what} (${status}${typeof code === 'string' && code ? ` ${code}` : ''})`,
      error,
      retryAfter: get('retry-after'),
      date: get('date'),
      now,
      ...(status === 429 ? { fallbackDelayMs: resetDelayMs(get, now) } : {}),
    });
  }
  if (status !== undefined && status >= 500) return { retry: true, reason: `server error (${status})` };
  if (status === undefined && isNetworkError(error)) {
    return { retry: true, reason: networkErrorCode(error) ?? 'network error' };
  }
  return { retry: false };
}

/** A failure after which the request may still have been carried out: a 5xx or a lost connection. */
export function mayHaveReachedOkta(error: unknown): boolean {
  const status = httpStatus(error);
  if (status !== undefined) return status >= 500;
  return isNetworkError(error) || networkErrorCode(error) !== undefined;
}

const oneLine = (text: string, max = 300): string => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** One line for a change's result: `Okta 400 E0000001 Api validation failed: login (login: ...)`. */
export function describeOktaError(error: unknown, secrets: string[] = []): string {
  const e = asError(error);
  const status = httpStatus(error);
  let text: string;
  if (isAccordError(error)) {
    text = error.message;
  } else if (
    status !== undefined &&
    (typeof e.errorCode === 'string' || typeof e.errorSummary === 'string')
  ) {
    const causes = Array.isArray(e.errorCauses)
      ? e.errorCauses
          .map((c) =>
            c && typeof c === 'object' ? (c as { errorSummary?: unknown }).errorSummary : undefined,
          )
          .filter((s): s is string => typeof s === 'string' && s.length > 0)
      : [];
    const summary = [e.errorCode, e.errorSummary].filter((s) => typeof s === 'string' && s).join(' ');
    text = `Okta ${status} ${summary}${causes.length ? ` (${causes.join('; ')})` : ''}`;
  } else if (status !== undefined) {
    text = `Okta HTTP ${status}`;
  } else if (isNetworkError(error) || networkErrorCode(error)) {
    text = `network error (${networkErrorCode(error) ?? 'connection failed'})`;
  } else {
    text = typeof e.message === 'string' ? e.message : String(error);
  }
  return oneLine(redact(text, secrets));
}

/** What error messages may name: the variables to fix, and the secrets never to show. */
export interface OktaErrorContext {
  orgUrlVariable: string;
  credentialVariables: string[];
  /** Set in OAuth mode. */
  privateKeyVariable?: string;
  secrets: string[];
  orgUrl: string;
}

/** A failure to connect or sign in, as the one-line AccordError naming what to fix; else undefined. */
export function connectionFailure(error: unknown, context: OktaErrorContext): AccordError | undefined {
  if (isAccordError(error)) return error;
  const { secrets } = context;
  const status = httpStatus(error);
  if (status === 401 || status === 403) {
    return connectionError('okta', context.credentialVariables, error, { secrets });
  }
  if (status !== undefined) return undefined;
  if (isNetworkError(error) || networkErrorCode(error)) {
    return connectionError('okta', [context.orgUrlVariable], error, { url: context.orgUrl, secrets });
  }
  // The SDK signs its client assertion locally; a key it can't read fails before any request.
  const message = typeof asError(error).message === 'string' ? String(asError(error).message) : '';
  if (context.privateKeyVariable && /private key|key type/i.test(message)) {
    return new AccordError(
      `okta: cannot use the private key in ${context.privateKeyVariable} (expected an RSA or EC key as PEM or JWK)`,
      { code: 'connection.auth' },
    );
  }
  return undefined;
}

/** The token endpoint's refusal (`{error, error_description}`), naming the OAuth variables. */
export function tokenRefused(
  answer: Record<string, unknown> | undefined,
  context: OktaErrorContext,
): AccordError {
  const code = typeof answer?.error === 'string' ? answer.error : 'no access token';
  const description = typeof answer?.error_description === 'string' ? `: ${answer.error_description}` : '';
  return new AccordError(
    oneLine(
      redact(`okta: the OAuth token request was refused (${code}${description})`, context.secrets),
      220,
    ) + `; check ${context.credentialVariables.join(', ')}`,
    {
      code: 'connection.auth',
      hint: 'the service app must hold the public key and be granted every scope asked for',
    },
  );
}

/** Any failure of a read as one AccordError: the connection message when it is one, else what failed. */
export function readFailure(error: unknown, what: string, context: OktaErrorContext): AccordError {
  return (
    connectionFailure(error, context) ??
    new AccordError(`okta: reading ${what} failed: ${describeOktaError(error, context.secrets)}`, {
      code: 'snapshot.failed',
    })
  );
}
