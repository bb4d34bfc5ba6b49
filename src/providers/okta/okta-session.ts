import okta from '@okta/okta-sdk-nodejs';
import { RateBudget, type BucketReading } from '../http/rate-limit.js';
import { realSleep, withRetry, type RetryInfo } from '../http/retry.js';
import { reportingRetries, requestPath } from '../http/events.js';
import type { ProviderEvents } from '../provider.js';
import type { OktaConnectionSettings } from './connection.js';
import { classifyOktaError, mayHaveReachedOkta, tokenRefused, type OktaErrorContext } from './okta-errors.js';
import { bucketOf, rateReading, type OktaBucket } from './rate-buckets.js';
import { baseUrl } from '../http/secure-url.js';

/**
 * The SDK client with accord's pacing and retries around every call.
 *
 * Retries: the SDK's DefaultRequestExecutor retries only 429s, so it runs with `maxRetries: 0` and
 * every call goes through `withRetry` instead, which also covers 5xx and network failures and lets
 * writes verify before they are re-sent. One retry loop, never two stacked.
 *
 * Pacing: the executor's `response` event hands over every response (the token endpoint's too), and
 * its `X-Rate-Limit-*` headers feed a RateBudget bucket per endpoint family; each call waits on
 * its family's bucket before it is sent.
 */

export interface OktaSessionOptions {
  /** Injected by tests so retry and rate-limit waits take no time. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per call, the first included. @default 5 */
  maxAttempts?: number;
  /** @default 200 */
  baseDelayMs?: number;
  /** @default 30000 */
  maxDelayMs?: number;
  onRetry?: (info: { bucket: OktaBucket } & RetryInfo) => void;
  now?: () => number;
  /** The run's sink for waits and requests. */
  events?: ProviderEvents;
}

export class OktaSession {
  readonly client: okta.Client;
  readonly budget: RateBudget;
  readonly errorContext: OktaErrorContext;
  private readonly options: OktaSessionOptions;
  private readonly now: () => number;
  private signingIn: Promise<void> | undefined;

  constructor(settings: OktaConnectionSettings, options: OktaSessionOptions = {}) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.budget = new RateBudget('okta', { sleep: options.sleep ?? realSleep, now: this.now });
    const executor = new okta.DefaultRequestExecutor({ maxRetries: 0, requestTimeout: 0 });
    executor.on('response', (response: { url?: string; headers?: { get(name: string): string | null } }) => {
      const bucket = response.url ? bucketOf(response.url) : undefined;
      const headers = response.headers;
      if (!bucket || !headers) return;
      const reading = rateReading((name) => headers.get(name), this.now());
      if (reading) this.budget.observe(bucket, reading);
    });
    if (options.events?.request) reportRequests(executor, options.events.request, this.now);
    const base = baseUrl(settings.orgUrl);
    const auth = settings.auth;
    this.client = new okta.Client({
      orgUrl: base,
      // The SDK's GET cache has no TTL: a re-read after a write elsewhere would see stale data.
      cacheMiddleware: null,
      requestExecutor: executor,
      ...(auth.mode === 'SSWS'
        ? { authorizationMode: 'SSWS', token: auth.token }
        : {
            authorizationMode: 'PrivateKey',
            clientId: auth.clientId,
            scopes: auth.scopes,
            privateKey: auth.privateKey,
            ...(auth.keyId ? { keyId: auth.keyId } : {}),
          }),
    });
    this.errorContext = {
      orgUrlVariable: settings.variables.orgUrlEnv,
      credentialVariables: settings.credentialVariables,
      ...(auth.mode === 'PrivateKey' ? { privateKeyVariable: settings.variables.privateKeyEnv } : {}),
      secrets: settings.secrets,
      orgUrl: base,
    };
  }

  /**
   * One request, paced on its bucket and retried on 429, 5xx and network failures. The op learns
   * whether an earlier attempt may have reached Okta (a 5xx or a lost connection, unlike a 429,
   * which Okta refuses before doing anything), so a write can look before it re-sends.
   */
  call<T>(
    bucket: OktaBucket,
    op: (attempt: number, retry: { mayHaveLanded: boolean }) => Promise<T>,
  ): Promise<T> {
    let mayHaveLanded = false;
    return withRetry(
      async (attempt) => {
        await this.budget.wait(bucket);
        try {
          return await op(attempt, { mayHaveLanded });
        } catch (error) {
          if (mayHaveReachedOkta(error)) mayHaveLanded = true;
          throw error;
        }
      },
      (error) => classifyOktaError(error, this.now),
      {
        platform: 'okta',
        ...(this.options.maxAttempts !== undefined ? { maxAttempts: this.options.maxAttempts } : {}),
        ...(this.options.baseDelayMs !== undefined ? { baseDelayMs: this.options.baseDelayMs } : {}),
        ...(this.options.maxDelayMs !== undefined ? { maxDelayMs: this.options.maxDelayMs } : {}),
        sleep: this.options.sleep ?? realSleep,
        onRetry: reportingRetries('okta', this.options.events, (info) =>
          this.options.onRetry?.({ bucket, ...info }),
        ),
      },
    );
  }

  /**
   * Every item of a list, page by page. Each page is its own retried call: the Collection moves its
   * cursor only after a page arrived, so a retry asks for the same page again. `T` is what the
   * caller reads of each item (the SDK's model classes are wider); `keep` narrows each item as
   * its page arrives, so the SDK's objects are not all held until the last page.
   */
  async list<T>(
    bucket: OktaBucket,
    open: () => Promise<Pick<okta.Collection<unknown>, 'nextUri' | 'getNextPage'>>,
    onPage?: (items: T[], pages: number) => void,
    keep?: (item: T) => T,
  ): Promise<T[]> {
    const collection = await open();
    const all: T[] = [];
    let pages = 0;
    while (collection.nextUri) {
      const items = (await this.call(bucket, () => collection.getNextPage())) as T[];
      pages++;
      for (const item of items) all.push(keep ? keep(item) : item);
      onPage?.(items, pages);
    }
    return all;
  }

  /**
   * In OAuth mode, fetches the access token once before parallel calls start: the SDK caches the
   * token but doesn't share a request in flight, so concurrent first calls would each fetch one.
   * When the token expires, the SDK's own 401 handling fetches a new one.
   *
   * The SDK doesn't check the token response's status (its `Http.errorFilter` reference is
   * undefined in oauth.js), so a refusal would be cached as the "token" and every call would then
   * fail with a bare 401. The answer is checked here instead.
   */
  signIn(): Promise<void> {
    const oauth = (this.client as { oauth?: okta.Client['oauth'] }).oauth;
    if (!oauth || oauth.accessToken?.access_token) return Promise.resolve();
    this.signingIn ??= this.call('oauth', async () => {
      const answer = (await oauth.getAccessToken()) as unknown as Record<string, unknown> | undefined;
      if (typeof answer?.access_token === 'string' && answer.access_token) return;
      oauth.clearCachedAccessToken();
      throw tokenRefused(answer, this.errorContext);
    }).finally(() => {
      this.signingIn = undefined;
    });
    return this.signingIn;
  }

  readings(): Record<string, BucketReading> {
    return this.budget.readings();
  }
}

type RequestSink = NonNullable<ProviderEvents['request']>;

/**
 * Times every request the SDK sends, its OAuth token calls included. The executor's own
 * `request`/`response` events can't be paired, so its `fetch` is wrapped instead.
 */
function reportRequests(executor: okta.DefaultRequestExecutor, sink: RequestSink, now: () => number): void {
  const fetch = executor.fetch.bind(executor);
  executor.fetch = async (request) => {
    const started = now();
    const report = (status?: number) =>
      sink({
        platform: 'okta',
        method: String((request as { method?: string }).method ?? 'GET').toUpperCase(),
        path: requestPath(String(request.url ?? '')),
        ...(status !== undefined ? { status } : {}),
        ms: now() - started,
      });
    try {
      const response = await fetch(request);
      report(response.status);
      return response;
    } catch (error) {
      report();
      throw error;
    }
  };
}
