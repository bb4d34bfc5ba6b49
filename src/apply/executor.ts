import pLimit from 'p-limit';
import type { Change, ChangeAction, ChangeKind, ChangeResult } from '../model/change.js';
import type { RecordingStats } from './recorder.js';
import type { PlatformId } from '../model/snapshot.js';
import type { ApplyContext, Provider } from '../providers/provider.js';

/**
 * The executor: walks the plan's DAG and hands each provider batches of one kind and action, as
 * large as the provider takes. Platforms run concurrently. Within a platform, batches of one kind
 * and action run as many at a time as the provider declares safe for them (`concurrency`, else
 * DEFAULT_CONCURRENCY), and never more than `parallelism` per platform when the user set it.
 * A change whose dependency did not apply is not attempted (reported as skipped); independent
 * work goes on.
 */

/** Batches of one kind and action in flight at once, for a provider that declares nothing. */
export const DEFAULT_CONCURRENCY = 4;

const declaredConcurrency = (provider: Provider, kind: ChangeKind, action: ChangeAction): number => {
  const n = provider.concurrency ? provider.concurrency(kind, action) : DEFAULT_CONCURRENCY;
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_CONCURRENCY;
};

export interface Batch {
  id: string;
  platform: PlatformId;
  changes: Change[];
}

export interface ExecuteOptions {
  /**
   * The user's cap (`--parallelism`): batches in flight per platform. Unset, each kind and action
   * runs at the provider's declared concurrency.
   */
  parallelism?: number;
  /** Called before a batch is sent (the journal records it). */
  beforeBatch?: (batch: Batch) => Promise<void>;
  /** Called with a batch's results (state and audit are written here, after each batch). */
  afterBatch?: (batch: Batch, results: ChangeResult[]) => Promise<void>;
  /** Changes already applied by an earlier, interrupted run: reported as applied, not re-sent. */
  alreadyApplied?: ReadonlySet<string>;
  /** Changes not to attempt (stale preconditions), with the reason. */
  stale?: ReadonlyMap<string, string>;
  ctx?: ApplyContext;
}

export interface ApplyReport {
  results: ChangeResult[];
  counts: Record<ChangeResult['status'], number>;
  /** Where apply's journal, audit and state writes spent their time (set by the engine). */
  recording?: RecordingStats & { journalWrites: number };
}

export async function execute(
  changes: readonly Change[],
  providers: ReadonlyMap<PlatformId, Provider>,
  options: ExecuteOptions = {},
): Promise<ApplyReport> {
  const results = new Map<string, ChangeResult>();
  const settle = (r: ChangeResult) => results.set(r.changeId, r);
  for (const [id, reason] of options.stale ?? []) settle({ changeId: id, status: 'stale', message: reason });
  for (const id of options.alreadyApplied ?? [])
    if (!results.has(id)) settle({ changeId: id, status: 'applied', message: 'applied by an earlier run' });

  const cap = options.parallelism !== undefined && options.parallelism >= 1 ? options.parallelism : undefined;
  const limits = new Map<string, ReturnType<typeof pLimit>>();
  const limiter = (key: string, size: number) => {
    let limit = limits.get(key);
    if (!limit) limits.set(key, (limit = pLimit(size)));
    return limit;
  };
  // A slot of the batch's kind first, then (under a cap) one of its platform: a batch waiting for
  // its kind never holds a platform slot another kind could use.
  const slot = (provider: Provider, key: string, first: Change) => {
    const ofKind = limiter(
      key,
      Math.min(cap ?? Infinity, declaredConcurrency(provider, first.kind, first.action)),
    );
    const ofPlatform = cap === undefined ? undefined : limiter(first.platform, cap);
    return (run: () => Promise<void>): Promise<void> =>
      ofPlatform ? ofKind(() => ofPlatform(run)) : ofKind(run);
  };
  // Batch ids count per platform, so they do not depend on how the platforms' timings interleave.
  const batchSeq = new Map<PlatformId, number>();
  const inPlan = new Set(changes.map((c) => c.id));

  // Each change settles once; a platform waiting on another platform's change waits on this.
  const settledSignal = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  const signalOf = (id: string) => {
    let signal = settledSignal.get(id);
    if (!signal) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      settledSignal.set(id, (signal = { promise, resolve }));
    }
    return signal;
  };
  const settleAndSignal = (r: ChangeResult) => {
    settle(r);
    signalOf(r.changeId).resolve();
  };
  for (const id of results.keys()) signalOf(id).resolve();

  // Levels: a change's level is one more than its deepest dependency's, so level k is exactly
  // what a global round k would send. Each platform walks its own levels, waiting only for the
  // dependencies of its next level (some on other platforms), so a slow platform no longer holds
  // the others' next rounds; the batches, and so the call counts, are the ones rounds would make.
  const levelOf = new Map<string, number>();
  for (const c of changes) {
    let level = 0;
    for (const d of c.dependsOn) if (inPlan.has(d)) level = Math.max(level, (levelOf.get(d) ?? 0) + 1);
    levelOf.set(c.id, level);
  }
  const byPlatform = new Map<PlatformId, Change[][]>();
  for (const c of changes) {
    const levels = byPlatform.get(c.platform) ?? byPlatform.set(c.platform, []).get(c.platform)!;
    (levels[levelOf.get(c.id)!] ??= []).push(c);
  }

  const nextSeq = (platform: PlatformId) => {
    const n = (batchSeq.get(platform) ?? 0) + 1;
    batchSeq.set(platform, n);
    return n;
  };
  const runLevel = async (level: readonly Change[]) => {
    const waits: Promise<void>[] = [];
    for (const c of level) for (const d of c.dependsOn) if (inPlan.has(d)) waits.push(signalOf(d).promise);
    await Promise.all(waits);
    const groups = new Map<string, Change[]>();
    for (const c of level) {
      if (results.has(c.id)) continue;
      const blocker = c.dependsOn.find((d) => inPlan.has(d) && results.get(d)!.status !== 'applied');
      if (blocker) {
        settleAndSignal({
          changeId: c.id,
          status: 'skipped',
          message: `not attempted: change ${blocker} it depends on did not apply`,
        });
        continue;
      }
      const key = `${c.platform}|${c.kind}|${c.action}`;
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(c);
    }
    const work: Promise<void>[] = [];
    for (const [key, group] of groups) {
      const first = group[0]!;
      const provider = providers.get(first.platform);
      if (!provider) {
        for (const c of group)
          settleAndSignal({ changeId: c.id, status: 'failed', message: `no provider for ${c.platform}` });
        continue;
      }
      const size = Math.max(1, provider.maxBatch(first.kind, first.action));
      const run = slot(provider, key, first);
      for (let i = 0; i < group.length; i += size) {
        const batch: Batch = {
          id: `${first.platform}/b${nextSeq(first.platform)}`,
          platform: first.platform,
          changes: group.slice(i, i + size),
        };
        work.push(run(() => runBatch(batch, provider, options, settleAndSignal)));
      }
    }
    await Promise.all(work);
  };
  await Promise.all(
    [...byPlatform.values()].map(async (levels) => {
      for (const level of levels) if (level) await runLevel(level);
    }),
  );

  const ordered = changes.map(
    (c) => results.get(c.id) ?? { changeId: c.id, status: 'skipped' as const, message: 'not reached' },
  );
  const counts = { applied: 0, failed: 0, skipped: 0, stale: 0 };
  for (const r of ordered) counts[r.status]++;
  return { results: ordered, counts };
}

async function runBatch(
  batch: Batch,
  provider: Provider,
  options: ExecuteOptions,
  settle: (r: ChangeResult) => void,
) {
  await options.beforeBatch?.(batch);
  let results: ChangeResult[];
  try {
    results = await provider.apply(batch.changes, options.ctx);
  } catch (error) {
    // A provider that throws (lost credentials mid-run) fails its whole batch; nothing is reported as done.
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    results = batch.changes.map((c) => ({
      changeId: c.id,
      status: 'failed' as const,
      message: message ?? 'failed',
    }));
  }
  const byId = new Map(results.map((r) => [r.changeId, r]));
  const complete = batch.changes.map(
    (c) =>
      byId.get(c.id) ?? {
        changeId: c.id,
        status: 'failed' as const,
        message: 'the provider returned no result for this change',
      },
  );
  for (const r of complete) settle(r);
  await options.afterBatch?.(batch, complete);
}
