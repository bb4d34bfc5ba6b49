import got, { type Got, type Method } from 'got';
import type { OneLoginConnection } from '../../policy/types.js';
import { AccordError } from '../../errors.js';
import { connectionError, redact } from '../http/connection-error.js';
import { RateBudget } from '../http/rate-limit.js';
import {
  isNetworkError,
  networkErrorCode,
  withRetry,
  type RetryDecision,
  type RetryInfo,
} from '../http/retry.js';
import { throttleDecision } from '../http/retry-after.js';
import { reportingRetries, requestPath } from '../http/events.js';
import type { ProviderEvents } from '../provider.js';
import { requireSecureUrl } from '../http/secure-url.js';
import { registerSecrets } from '../../model/redact.js';

/**
 * A thin OneLogin API v2 client over got (there is no usable official Node SDK): a cached
 * client-credentials token, the shared retry loop, the account's `X-RateLimit-*` budget and a
 * cursor pager. got's own retry is off so that every retry goes through `withRetry` and its
 * classifier, once.
 */

export const PLATFORM = 'onelogin';

/**
 * Page sizes. `GET /api/2/users`: the docs say "up to 50 users per page" but the SDK's OpenAPI
 * spec says "limit max 100"; we ask for 100 because the pager follows `After-Cursor`, so a service
 * that caps at 50 still gives every user (in twice the calls) while one that allows 100 halves
 * them. Roles and role users: "Max page limit is 650" (list-roles docs). App users: "Max page
 * limit is 1000" (list-app-users docs).
 */
export const USER_PAGE_SIZE = 100;
export const ROLE_PAGE_SIZE = 650;
export const ROLE_USER_PAGE_SIZE = 650;
/** Apps: the list's limit is UNCONFIRMED, so 100 like users (the pager follows the cursor). App users: "Max page limit is 1000". */
export const APP_PAGE_SIZE = 100;
export const APP_USER_PAGE_SIZE = 1000;

/** Renew the token this long before OneLogin says it expires, so no call races the expiry. */
const TOKEN_MARGIN_MS = 60_000;
/** One bucket: OneLogin counts every call against one account-wide hourly budget. */
const BUCKET = 'account';

export interface ConnectionVariables {
  url: string;
  clientId: string;
  clientSecret: string;
}

export function connectionVariables(connection: OneLoginConnection | undefined): ConnectionVariables {
  return {
    url: connection?.urlEnv ?? 'ONELOGIN_URL',
    clientId: connection?.clientIdEnv ?? 'ONELOGIN_CLIENT_ID',
    clientSecret: connection?.clientSecretEnv ?? 'ONELOGIN_CLIENT_SECRET',
  };
}

/** Timing knobs, injectable so tests neither wait for backoff nor for a spent hourly budget. */
export interface ClientTiming {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  maxAttempts?: number;
  baseDelayMs?: number;
  onRetry?: (info: RetryInfo) => void;
}

/** A non-2xx answer from the API, with OneLogin's `{message, statusCode, name}` reduced to one line. */
export class OneLoginHttpError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    detail: string,
  ) {
    super(`${method} /${path}: ${status}${detail ? ` ${detail}` : ''}`);
    this.name = 'OneLoginHttpError';
  }

  /** got exposes the status here; connectionError reads it to say "authentication failed". */
  get statusCode(): number {
    return this.status;
  }
}

export const isHttpError = (error: unknown, status?: number): error is OneLoginHttpError =>
  error instanceof OneLoginHttpError && (status === undefined || error.status === status);

/** What a failed response says, in one line, redacted (servers echo credentials) before it is cut. */
function detailOf(body: unknown, secrets: string[]): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const status = b.status as Record<string, unknown> | undefined;
    const message = b.message ?? b.error_description ?? b.error ?? status?.message;
    if (typeof message === 'string') return redact(oneLine(message), secrets);
  }
  return typeof body === 'string' ? redact(oneLine(body), secrets).slice(0, 200) : '';
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface RequestOptions {
  searchParams?: Record<string, string | number>;
  json?: unknown;
  /**
   * Runs before every re-send of a non-idempotent call: if it finds what the lost attempt created,
   * that is the answer and nothing is sent again.
   */
  verifyBeforeRetry?: () => Promise<unknown>;
}

export interface ApiResponse<T> {
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export class OneLoginClient {
  readonly budget: RateBudget;
  private readonly http: Got;
  private readonly now: () => number;
  private token: { value: string; expiresAtMs: number } | undefined;
  private pendingToken: Promise<string> | undefined;
  /** The values no message may carry: the client secret and the current token. */
  private secrets = () => [this.clientSecret, ...(this.token ? [this.token.value] : [])];

  constructor(
    readonly baseUrl: URL,
    private readonly clientId: string,
    private readonly clientSecret: string,
    readonly variables: ConnectionVariables,
    private readonly timing: ClientTiming = {},
    /** The run's sink for waits and requests. */
    private readonly events?: ProviderEvents,
  ) {
    this.now = timing.now ?? Date.now;
    this.budget = new RateBudget(PLATFORM, {
      ...(timing.sleep && { sleep: timing.sleep }),
      now: this.now,
    });
    this.http = got.extend({
      prefixUrl: baseUrl.href,
      responseType: 'json',
      throwHttpErrors: false,
      retry: { limit: 0 },
      timeout: { request: 60_000 },
    });
  }

  /** Reads the connection from the environment; names the variable to fix when one is missing or unsafe. */
  static fromEnv(
    variables: ConnectionVariables,
    env: NodeJS.ProcessEnv,
    timing?: ClientTiming,
    events?: ProviderEvents,
  ): OneLoginClient {
    const need = (name: string) => {
      const value = env[name]?.trim();
      if (!value)
        throw new AccordError(`${PLATFORM}: ${name} is not set`, {
          code: 'connection.missing',
          hint: `set ${name} to the OneLogin API connection value`,
        });
      return value;
    };
    const url = requireSecureUrl(PLATFORM, variables.url, need(variables.url));
    return new OneLoginClient(
      url,
      need(variables.clientId),
      need(variables.clientSecret),
      variables,
      timing,
      events,
    );
  }

  /** The cached access token, fetched once and shared by concurrent callers until it nears expiry. */
  async accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.expiresAtMs) return this.token.value;
    this.pendingToken ??= this.fetchToken().finally(() => {
      this.pendingToken = undefined;
    });
    return this.pendingToken;
  }

  /** Forgets a token the API refused, so the next call fetches a new one. */
  private invalidate(value: string): void {
    if (this.token?.value === value) this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const basic = Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
    const res = await this.send('POST', 'auth/oauth2/v2/token', {
      headers: { authorization: `Basic ${basic}` },
      json: { grant_type: 'client_credentials' },
    });
    const body = res.body as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (res.statusCode === 400 || res.statusCode === 401 || res.statusCode === 403) {
      // Only the secret and the id can be wrong here (the URL answered); neither value is shown.
      throw this.connectionError(
        new OneLoginHttpError(
          'POST',
          'auth/oauth2/v2/token',
          res.statusCode === 400 ? 401 : res.statusCode,
          res.headers,
          '',
        ),
      );
    }
    if (res.statusCode >= 300 || typeof body?.access_token !== 'string')
      throw new OneLoginHttpError(
        'POST',
        'auth/oauth2/v2/token',
        res.statusCode,
        res.headers,
        detailOf(res.body, this.secrets()) || 'no access_token in the response',
      );
    const lifetimeS = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    // A token obtained at run time is as secret as the client secret that obtained it.
    registerSecrets([body.access_token]);
    this.token = {
      value: body.access_token,
      expiresAtMs: this.now() + Math.max(0, lifetimeS * 1000 - TOKEN_MARGIN_MS),
    };
    return body.access_token;
  }

  /** One HTTP exchange, reported to the request sink (method, path without query values, status, time). */
  private async send(
    method: Method,
    path: string,
    options: {
      headers: Record<string, string>;
      searchParams?: Record<string, string | number>;
      json?: unknown;
    },
  ) {
    const sink = this.events?.request;
    const url = new URL(`/${path}`, 'http://invalid');
    // Only the names reach the log; requestPath drops values anyway.
    for (const name of Object.keys(options.searchParams ?? {})) url.searchParams.set(name, '');
    const started = this.now();
    const report = (status?: number) =>
      sink?.({
        platform: PLATFORM,
        method: method.toUpperCase(),
        path: requestPath(url),
        ...(status !== undefined ? { status } : {}),
        ms: this.now() - started,
      });
    try {
      const res = await this.http(path, { method, ...options });
      report(res.statusCode);
      return res;
    } catch (error) {
      report();
      throw error;
    }
  }

  private observe(headers: Record<string, string | string[] | undefined>): void {
    const num = (name: string) => {
      const v = header(headers, name);
      return v === undefined || v === '' ? undefined : Number(v);
    };
    const reset = num('x-ratelimit-reset');
    this.budget.observe(BUCKET, {
      limit: num('x-ratelimit-limit'),
      remaining: num('x-ratelimit-remaining'),
      // Seconds remaining in the window, not an epoch time (GET /auth/rate_limit docs).
      resetAtMs: reset === undefined ? undefined : this.now() + reset * 1000,
    });
  }

  /**
   * One API call with retries: 429 waits the `X-RateLimit-Reset` seconds, 5xx and network errors
   * back off, a 401 renews the token once. Throws OneLoginHttpError for other answers, and an
   * AccordError naming the variable to fix when the account can't be reached or refuses us.
   */
  async request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.retrying(async (attempt) => {
      if (attempt > 1 && options.verifyBeforeRetry) {
        const found = await options.verifyBeforeRetry();
        if (found !== undefined) return { body: found as T, headers: {} };
      }
      await this.budget.wait(BUCKET);
      const token = await this.accessToken();
      const res = await this.send(method, path, {
        headers: { authorization: `bearer ${token}` },
        ...(options.searchParams && { searchParams: options.searchParams }),
        ...(options.json !== undefined && { json: options.json }),
      });
      // A 429's Remaining 0 is already paid for by the retry's wait; feeding it to the budget
      // would make the next call wait for the reset a second time.
      if (res.statusCode !== 429) this.observe(res.headers);
      if (res.statusCode >= 300) {
        if (res.statusCode === 401) this.invalidate(token);
        throw new OneLoginHttpError(
          method,
          path,
          res.statusCode,
          res.headers,
          detailOf(res.body, this.secrets()),
        );
      }
      return { body: res.body as T, headers: res.headers };
    });
  }

  /** Gets a token now (with retries): a wrong secret or an unreachable URL shows before any change is sent. */
  async connect(): Promise<void> {
    await this.retrying(() => this.accessToken());
  }

  private async retrying<T>(op: (attempt: number) => Promise<T>): Promise<T> {
    let renewed = false;
    const classify = (error: unknown): RetryDecision => {
      if (error instanceof OneLoginHttpError) {
        if (error.status === 401 && !renewed) {
          renewed = true;
          return { retry: true, delayMs: 0, reason: '401: renewing the access token' };
        }
        if (error.status === 429 || error.status === 503) {
          // 429: `X-RateLimit-Reset` is the seconds left in the account's hourly window, the wait
          // OneLogin documents; a Retry-After (not documented by OneLogin) wins when present.
          const reset = Number(header(error.headers, 'x-ratelimit-reset'));
          const budgetReset =
            error.status === 429 && Number.isFinite(reset) && reset >= 0 ? reset * 1000 : undefined;
          return throttleDecision({
            reason: `${error.status === 429 ? 'throttled' : 'unavailable'} (${error.status})`,
            error,
            retryAfter: header(error.headers, 'retry-after'),
            date: header(error.headers, 'date'),
            now: this.now(),
            ...(budgetReset !== undefined && { fallbackDelayMs: budgetReset }),
          });
        }
        if (error.status >= 500) return { retry: true, reason: `${error.status} server error` };
        return { retry: false };
      }
      if (isNetworkError(error)) return { retry: true, reason: networkErrorCode(error) ?? 'network error' };
      return { retry: false };
    };
    try {
      return await withRetry(op, classify, {
        platform: PLATFORM,
        ...(this.timing.sleep && { sleep: this.timing.sleep }),
        ...(this.timing.maxAttempts !== undefined && { maxAttempts: this.timing.maxAttempts }),
        ...(this.timing.baseDelayMs !== undefined && { baseDelayMs: this.timing.baseDelayMs }),
        onRetry: reportingRetries(PLATFORM, this.events, this.timing.onRetry),
      });
    } catch (error) {
      throw this.userFacing(error);
    }
  }

  /** Errors that no single change caused become the one-line AccordError the CLI prints. */
  private userFacing(error: unknown): unknown {
    if (error instanceof AccordError) return error;
    if (isHttpError(error, 401) || isNetworkError(error) || networkErrorCode(error) !== undefined)
      return this.connectionError(error);
    return error;
  }

  /** Names the variable to fix (the URL when unreachable, the credentials when refused), never a value. */
  private connectionError(error: unknown): AccordError {
    const { url, clientId, clientSecret } = this.variables;
    return connectionError(PLATFORM, [url, clientId, clientSecret], error, {
      url: this.baseUrl,
      secrets: [this.clientSecret, this.token?.value ?? ''],
    });
  }

  /**
   * Every item of a cursor-paged list: asks for `limit` per page and follows `After-Cursor` until a
   * page comes without one. The cursor carries the query, so later pages send only it and `limit`.
   */
  async *pages<T>(
    path: string,
    searchParams: Record<string, string | number>,
    limit: number,
  ): AsyncGenerator<T[], void, undefined> {
    let params: Record<string, string | number> = { ...searchParams, limit };
    for (;;) {
      const { body, headers } = await this.request<T[]>('GET', path, { searchParams: params });
      if (!Array.isArray(body))
        throw new OneLoginHttpError('GET', path, 200, headers, 'expected a JSON array of results');
      yield body;
      const after = header(headers, 'after-cursor');
      if (!after) return;
      params = { cursor: after, limit };
    }
  }
}
