import type { Connection } from 'jsforce';
import type { PlatformId } from '../../model/snapshot.js';
import type { Progress, ProviderEvents } from '../provider.js';
import { DailyLimitGuard } from '../http/rate-limit.js';
import { withRetry, type RetryOptions } from '../http/retry.js';
import type { Authenticated } from './auth.js';
import { classifySalesforceError, fatalError, type ErrorContext } from './errors.js';
import { hookTransport, type TransportRetry } from './transport.js';

/**
 * One authenticated org connection with the run's rules around every call: the daily-limit
 * reserve is checked before each batch of calls, retries go through withRetry, and a failure that
 * concerns the whole run (limit, credentials, unreachable org) becomes an AccordError.
 */

/** Records per query batch: Salesforce's default and largest. */
export const QUERY_BATCH = 2000;

export type SalesforceRecord = Record<string, unknown> & { Id?: string };

export type { TransportRetry };

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
    events?: ProviderEvents,
  ) {
    this.conn = auth.conn;
    this.guard = new DailyLimitGuard(platform, reserve);
    hookTransport(this.conn, {
      platform,
      ...(transportRetry ? { retry: transportRetry } : {}),
      ...(events ? { events } : {}),
      // jsforce never sees a 429 or 503 answer (they are thrown before it does), so its usage
      // reading would miss theirs.
      onLimitInfo: (used, limit) => this.guard.observe(used, limit),
    });
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
   * Every record of a SOQL query, in batches of up to 2000, each batch its own retried call: a
   * throttled page is asked for again, not the whole query. No batch is fetched once the calls
   * left are down to the reserve. Progress is reported per page.
   */
  async query<T extends SalesforceRecord = SalesforceRecord>(
    soql: string,
    report?: { phase: string; progress?: Progress },
  ): Promise<T[]> {
    const records: T[] = [];
    let pages = 0;
    const page = (result: QueryResult<T>) => {
      pages++;
      for (const record of result.records) records.push(record);
      report?.progress?.({ platform: this.platform, phase: report.phase, pages, records: records.length });
    };
    let result: QueryResult<T> = await this.run(
      1,
      async () => await this.conn.query<T>(soql, { autoFetch: false }),
    );
    page(result);
    while (!result.done && result.nextRecordsUrl) {
      const locator = result.nextRecordsUrl;
      if (this.guard.spendable() === 0)
        throw this.guard.reserveError(Math.ceil((result.totalSize - records.length) / QUERY_BATCH));
      result = await this.run(1, async () => await this.conn.queryMore<T>(locator));
      page(result);
    }
    report?.progress?.({
      platform: this.platform,
      phase: report.phase,
      pages,
      records: records.length,
      done: true,
    });
    return records;
  }

  /** `SELECT COUNT() FROM ...`: one call, the number of rows that match. */
  async count(soql: string): Promise<number> {
    const result = await this.run(1, async () => await this.conn.query(soql, { autoFetch: false }));
    if (!Number.isSafeInteger(result.totalSize))
      throw new Error(`${this.platform}: COUNT() returned no totalSize`);
    return result.totalSize;
  }
}

type QueryResult<T> = { done: boolean; totalSize: number; records: T[]; nextRecordsUrl?: string };
