import type { Change, ChangeResult } from '../model/change.js';

/**
 * What apply writes after each batch, and when. A batch's audit entries are appended (durably)
 * and its journal `complete` record written as soon as its results are in: both are small
 * appends. The state file is large (it names every account accord manages), so completed batches
 * are folded into the state held in memory and the file is written at most once every
 * `intervalMs`, and at the end. Each write is followed by a journal `checkpoint` naming the
 * batches it holds.
 *
 * Why nothing is lost to a SIGKILL: a batch joins the pending list only after its audit entries
 * and its `complete` are durable. So at any moment every batch sent is either in flight in the
 * journal (begun, not completed: recovered against the fresh plan, as before), completed but in
 * no checkpoint (its changes and results are in the journal, its audit entries in the log: the
 * next run folds it into state before planning and writes no audit entry again), or in a
 * checkpoint (in the state file). Folding is idempotent, so a crash between a state write and its
 * checkpoint only folds those batches a second time.
 */

/** The last audit entry appended: the head state records. */
export interface AuditLink {
  seq: number;
  hash: string;
}

export interface RecorderSinks<S> {
  /** Appends the audit entries of these results durably; returns the last entry written. */
  audit(changes: readonly Change[], results: readonly ChangeResult[]): Promise<AuditLink | undefined>;
  /** The journal's `complete` record for a batch, durable when it resolves. */
  complete(batchId: string, results: readonly ChangeResult[]): Promise<void>;
  /** State with these results folded in and `head` as its audit head (pure; the arrays are its own). */
  fold(state: S, changes: Change[], results: ChangeResult[], head: AuditLink | undefined): S;
  /** Writes the state file (atomically). */
  write(state: S): Promise<void>;
  /** The journal's `checkpoint` after a write: the state file holds these batches. */
  checkpoint(batchIds: readonly string[]): Promise<void>;
}

export interface RecorderOptions {
  /** The state file is written at most this often while batches complete. @default 1000 */
  intervalMs?: number;
  /** A monotonic clock in ms. @default performance.now */
  now?: () => number;
}

/** Where recording time went: summed per call, so concurrent calls overlap the platforms' work. */
export interface RecordingStats {
  stateWrites: number;
  stateMs: number;
  /** Appends made: batches finishing together share one (group commit). */
  auditAppends: number;
  auditMs: number;
  /** `complete` records (the executor's `begin` records are timed by whoever writes them). */
  journalAppends: number;
  journalMs: number;
}

export const DEFAULT_STATE_INTERVAL_MS = 1000;

interface AuditGroup {
  changes: Change[];
  results: ChangeResult[];
  done: Promise<AuditLink | undefined>;
}

interface Pending {
  batchId?: string;
  changes: readonly Change[];
  results: readonly ChangeResult[];
}

export class IntervalRecorder<S> {
  private state: S;
  private pending: Pending[] = [];
  private head: AuditLink | undefined;
  private lastWrite: number;
  private auditQueue: AuditGroup | undefined;
  private auditTail: Promise<unknown> = Promise.resolve();
  private writing: Promise<void> | undefined;
  private readonly intervalMs: number;
  private readonly now: () => number;
  readonly stats: RecordingStats = {
    stateWrites: 0,
    stateMs: 0,
    auditAppends: 0,
    auditMs: 0,
    journalAppends: 0,
    journalMs: 0,
  };

  constructor(
    state: S,
    private readonly sinks: RecorderSinks<S>,
    options: RecorderOptions = {},
  ) {
    this.state = state;
    this.intervalMs = options.intervalMs ?? DEFAULT_STATE_INTERVAL_MS;
    this.now = options.now ?? (() => performance.now());
    this.lastWrite = this.now();
  }

  /** The state as folded so far (written or not). */
  get current(): S {
    return this.state;
  }

  /**
   * A batch's results (or, without `batchId`, changes that were never sent: stale, skipped):
   * audit entries, then the journal's `complete`, then pending for the next state write, which
   * happens now when the interval has passed and no write is under way.
   */
  async record(batchId: string | undefined, changes: readonly Change[], results: readonly ChangeResult[]) {
    const link = await this.timed('auditMs', this.audit(changes, results));
    // Appends are queued in order, so a later answer never names an earlier entry; keep the highest.
    if (link && (!this.head || link.seq > this.head.seq)) this.head = link;
    if (batchId !== undefined) {
      await this.timed('journalMs', this.sinks.complete(batchId, results));
      this.stats.journalAppends++;
    }
    this.pending.push({ ...(batchId !== undefined ? { batchId } : {}), changes, results });
    if (!this.writing && this.now() - this.lastWrite >= this.intervalMs) await this.writeOut();
  }

  /**
   * At the end: waits for a write under way, then folds what is left (and `last`, e.g. the
   * people's source facts) and writes the state file once more.
   */
  async finish(last?: (state: S) => S): Promise<S> {
    await this.writing;
    await this.writeOut(last);
    return this.state;
  }

  /**
   * Group commit: batches that finish while an append is under way share the next one (one
   * write, one fsync for all of them); each caller resolves once its own entries are durable.
   */
  private audit(
    changes: readonly Change[],
    results: readonly ChangeResult[],
  ): Promise<AuditLink | undefined> {
    const queued = this.auditQueue;
    if (queued) {
      for (const c of changes) queued.changes.push(c);
      for (const r of results) queued.results.push(r);
      return queued.done;
    }
    const group: AuditGroup = {
      changes: [...changes],
      results: [...results],
      done: Promise.resolve(undefined),
    };
    this.auditQueue = group;
    group.done = this.auditTail.then(() => {
      // From here on, entries go into the next group.
      if (this.auditQueue === group) this.auditQueue = undefined;
      this.stats.auditAppends++;
      return this.sinks.audit(group.changes, group.results);
    });
    this.auditTail = group.done.then(
      () => undefined,
      () => undefined,
    );
    return group.done;
  }

  private writeOut(last?: (state: S) => S): Promise<void> {
    const taken = this.pending;
    this.pending = [];
    const changes: Change[] = [];
    const results: ChangeResult[] = [];
    const batchIds: string[] = [];
    for (const p of taken) {
      for (const c of p.changes) changes.push(c);
      for (const r of p.results) results.push(r);
      if (p.batchId !== undefined) batchIds.push(p.batchId);
    }
    let state = taken.length > 0 ? this.sinks.fold(this.state, changes, results, this.head) : this.state;
    if (last) state = last(state);
    if (taken.length === 0 && !last) return Promise.resolve();
    this.state = state;
    // The interval runs from the start of a write, so a slow write does not stretch it.
    this.lastWrite = this.now();
    const done = (async () => {
      await this.timed('stateMs', this.sinks.write(state));
      this.stats.stateWrites++;
      await this.timed('journalMs', this.sinks.checkpoint(batchIds));
    })();
    // A failed write is thrown to the caller that made it; `finish` only waits for it to end.
    const tracked: Promise<void> = done.then(
      () => this.settled(tracked),
      () => this.settled(tracked),
    );
    this.writing = tracked;
    return done;
  }

  private settled(write: Promise<void>): void {
    if (this.writing === write) this.writing = undefined;
  }

  private async timed<T>(key: 'stateMs' | 'auditMs' | 'journalMs', work: Promise<T>): Promise<T> {
    const start = this.now();
    try {
      return await work;
    } finally {
      this.stats[key] += this.now() - start;
    }
  }
}
