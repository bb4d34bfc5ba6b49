import type { Connection } from 'jsforce';
import type { PlatformId } from '../../model/snapshot.js';
import type { Progress } from '../provider.js';
import { DailyLimitGuard } from '../http/rate-limit.js';
import { withRetry, type RetryOptions } from '../http/retry.js';
import type { Authenticated } from './auth.js';
import { classifySalesforceError, fatalError, type ErrorContext } from './errors.js';

/**
 * One authenticated org connection with the run's rules around every call: the daily-limit
 * reserve is checked before each batch of calls, retries go through withRetry, and a failure that
 * concerns the whole run (limit, credentials, unreachable org) becomes an AccordError.
 */

/** jsforce's default `maxFetch` is 10,000; a snapshot of a large org must never be cut short. */
const MAX_FETCH = 100_000_000;
/** Records per query batch: Salesforce's default and largest. */
const QUERY_BATCH = 2000;

export type SalesforceRecord = Record<string, unknown> & { Id?: string };

/** What jsforce's own retry loop (GET, PUT, DELETE only) may do; tests shorten the waits. */
export interface TransportRetry {
  maxRetries?: number;
  minTimeout?: number;
  timeoutFactor?: number;
}

/** jsforce reads retry settings per request from the transport options; there is no connection-level setting. */
function tuneTransportRetries(conn: Connection, retry: TransportRetry): void {
  const transport = conn._transport;
  const httpRequest = transport.httpRequest.bind(transport);
  transport.httpRequest = (request, options = {}) =>
    httpRequest(request, { ...options, retry: { ...retry, ...options.retry } });
}

export class Session {
  readonly conn: Connection;
  private readonly guard: DailyLimitGuard;
  readonly context: ErrorContext;

  constructor(
    readonly platform: PlatformId,
    auth: Authenticated,
    reserve: number,
    private readonly retry: Omit<RetryOptions, 'platform'>,
    transportRetry: TransportRetry | undefined,
  ) {
    this.conn = auth.conn;
    if (transportRetry) tuneTransportRetries(this.conn, transportRetry);
    this.guard = new DailyLimitGuard(platform, reserve);
    this.context = {
      platform,
      variables: auth.variables,
      secrets: auth.secrets,
      url: auth.instanceUrl,
    };
  }

  /** Reads the usage jsforce parsed from the last response's Sforce-Limit-Info. */
  observe(): void {
    const usage = this.conn.limitInfo?.apiUsage;
    if (usage) this.guard.observe(usage.used, usage.limit);
  }

  /**
   * Runs `op` with retries. Each attempt first checks the budget for `planned` calls. A fatal
   * failure is thrown as an AccordError; any other failure is rethrown as it came, for the caller
   * to put on its changes.
   */
  async run<T>(planned: number, op: (attempt: number) => Promise<T>): Promise<T> {
    try {
      return await withRetry(
        async (attempt) => {
          // Before the first response the usage is unknown and nothing is stopped.
          this.observe();
          this.guard.check(planned);
          try {
            return await op(attempt);
          } finally {
            this.observe();
          }
        },
        classifySalesforceError,
        { ...this.retry, platform: this.platform },
      );
    } catch (error) {
      throw fatalError(error, this.context) ?? error;
    }
  }

  /**
   * Every record of a SOQL query, fetched in batches of up to 2000 (one call each) by jsforce's
   * autoFetch, and never more batches than the reserve allows: `maxFetch` stops jsforce there, and
   * a result cut short by it is the limit error. Progress is reported per page.
   */
  async query<T extends SalesforceRecord = SalesforceRecord>(
    soql: string,
    report?: { phase: string; progress?: Progress },
  ): Promise<T[]> {
    return this.run(1, async () => {
      // run() has just read the usage, before this attempt.
      const spendable = this.guard.spendable();
      const maxFetch = spendable === undefined ? MAX_FETCH : Math.max(1, spendable) * QUERY_BATCH;
      let pages = 0;
      let records = 0;
      const query = this.conn.query<T>(soql, { autoFetch: true, maxFetch });
      query.on('record', () => records++);
      query.on('fetch', () => {
        pages++;
        this.observe();
        // jsforce emits the page's records synchronously right after 'fetch'.
        if (report?.progress)
          queueMicrotask(() =>
            report.progress?.({ platform: this.platform, phase: report.phase, pages, records }),
          );
      });
      const result = await query;
      if (result.records.length < result.totalSize)
        throw this.guard.reserveError(Math.ceil((result.totalSize - result.records.length) / QUERY_BATCH));
      report?.progress?.({ platform: this.platform, phase: report.phase, pages, records, done: true });
      return result.records;
    });
  }
}
