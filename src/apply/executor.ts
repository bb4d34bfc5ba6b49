import pLimit from 'p-limit';
import type { Change, ChangeResult } from '../model/change.js';
import type { PlatformId } from '../model/snapshot.js';
import type { ApplyContext, Provider } from '../providers/provider.js';

/**
 * The executor: walks the plan's DAG and hands each provider batches of one kind and action, as
 * large as the provider takes. Platforms run concurrently; within a platform at most
 * `parallelism` batches are in flight. A change whose dependency did not apply is not attempted
 * (reported as skipped); independent work goes on.
 */

export interface Batch {
  id: string;
  platform: PlatformId;
  changes: Change[];
}

export interface ExecuteOptions {
  /** Batches in flight per platform. @default 4 */
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

  const limits = new Map<PlatformId, ReturnType<typeof pLimit>>();
  const limitFor = (platform: PlatformId) => {
    let limit = limits.get(platform);
    if (!limit) limits.set(platform, (limit = pLimit(options.parallelism ?? 4)));
    return limit;
  };
  let batchSeq = 0;
  const inPlan = new Set(changes.map((c) => c.id));

  // Rounds: everything whose dependencies have settled goes out together, grouped into batches.
  for (;;) {
    const settledBefore = results.size;
    const ready: Change[] = [];
    for (const c of changes) {
      if (results.has(c.id)) continue;
      const deps = c.dependsOn.filter((d) => inPlan.has(d));
      const blocker = deps.find((d) => results.has(d) && results.get(d)!.status !== 'applied');
      if (blocker)
        settle({
          changeId: c.id,
          status: 'skipped',
          message: `not attempted: change ${blocker} it depends on did not apply`,
        });
      else if (deps.every((d) => results.has(d))) ready.push(c);
    }
    if (ready.length === 0) {
      if (results.size === settledBefore) break;
      continue; // skips settled this round may unblock (skip) their own dependents
    }

    const groups = new Map<string, Change[]>();
    for (const c of ready) {
      const key = `${c.platform}|${c.kind}|${c.action}`;
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(c);
    }
    const work: Promise<void>[] = [];
    for (const group of groups.values()) {
      const first = group[0]!;
      const provider = providers.get(first.platform);
      if (!provider) {
        for (const c of group)
          settle({ changeId: c.id, status: 'failed', message: `no provider for ${c.platform}` });
        continue;
      }
      const size = Math.max(1, provider.maxBatch(first.kind, first.action));
      for (let i = 0; i < group.length; i += size) {
        const batch: Batch = {
          id: `b${++batchSeq}`,
          platform: first.platform,
          changes: group.slice(i, i + size),
        };
        work.push(limitFor(first.platform)(() => runBatch(batch, provider, options, settle)));
      }
    }
    await Promise.all(work);
  }

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
