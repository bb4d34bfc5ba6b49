import type { Change, ChangeAction, ChangeKind, ChangeResult } from '../../model/change.js';
import type { IdpSnapshot, SnapshotScope } from '../../model/snapshot.js';
import type { ApplyContext, Progress, Provider } from '../provider.js';
import type { BucketReading } from '../http/rate-limit.js';
import { applyBatch } from './apply.js';
import type { OktaConnectionSettings } from './connection.js';
import { OktaSession, type OktaSessionOptions } from './okta-session.js';
import { parseBase } from './incremental.js';
import { emptyCache, readOkta, readSnapshot, type OktaDirectoryCache, type OktaRead } from './snapshot.js';

export type OktaProviderOptions = OktaSessionOptions;

/**
 * Every Okta write is one change per request (no bulk endpoint), so requests in flight are what
 * sets the rate; kept well under the concurrent-request limits Okta sets per org, and paced per
 * endpoint family by the rate-limit headers.
 */
const WRITE_CONCURRENCY = 8;

/** The Okta org through @okta/okta-sdk-nodejs 8. */
export class OktaProvider implements Provider<IdpSnapshot> {
  readonly id = 'okta' as const;
  private readonly session: OktaSession;
  /** Ids by natural key from the last snapshot and the changes applied since. */
  private readonly cache: OktaDirectoryCache = emptyCache();

  /** The org this provider reads, for the snapshot cache's key. */
  readonly cacheIdentity: string;

  constructor(settings: OktaConnectionSettings, options: OktaProviderOptions = {}) {
    this.session = new OktaSession(settings, options);
    this.cacheIdentity = settings.orgUrl.href;
  }

  snapshot(scope: SnapshotScope, progress?: Progress): Promise<IdpSnapshot> {
    return readSnapshot(this.session, scope, progress, this.cache);
  }

  /**
   * A snapshot built on what an earlier one left (`base`, from the snapshot cache; see
   * incremental.ts); anything it cannot trust reads everything. `read.base` is for the next one.
   */
  async snapshotIncremental(
    scope: SnapshotScope,
    progress: Progress | undefined,
    base: unknown,
  ): Promise<OktaRead> {
    const parsed = base === undefined ? undefined : parseBase(base);
    const read = await readOkta(this.session, scope, progress, this.cache, parsed);
    return base !== undefined && !parsed ? { ...read, fallback: 'the cached Okta read is malformed' } : read;
  }

  apply(batch: Change[], ctx?: ApplyContext): Promise<ChangeResult[]> {
    return applyBatch(this.session, batch, ctx, this.cache);
  }

  /** Okta has no batch endpoints: every change is its own call (apply still runs a few at once). */
  maxBatch(_kind: ChangeKind, _action: ChangeAction): number {
    return 1;
  }

  /**
   * Batches (one change each) in flight at once, for the executor: memberships have no bulk
   * endpoint, so more of them go at once; every call still waits on its endpoint family's
   * rate budget (X-Rate-Limit-Remaining, and the Reset after a 429), so this only fills the budget.
   */
  concurrency(_kind: ChangeKind, _action: ChangeAction): number {
    return WRITE_CONCURRENCY;
  }

  /** The latest rate-limit readings per endpoint family, for diagnostics and tests. */
  rateReadings(): Record<string, BucketReading> {
    return this.session.readings();
  }
}
