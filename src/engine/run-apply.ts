import { execute, type Batch, type ApplyReport } from '../apply/executor.js';
import { staleChanges } from '../apply/preconditions.js';
import type { Change, ChangeResult } from '../model/change.js';
import { digestOf } from '../model/canonical-json.js';
import type { State } from '../model/state.js';
import type { Plan } from '../plan/types.js';
import type { Progress, Provider } from '../providers/provider.js';
import { appendAudit, currentActor, currentGitCommit } from '../state/audit.js';
import { Journal } from '../state/journal.js';
import { acquireLock } from '../state/lock.js';
import { nextState } from '../state/next-state.js';
import { readState } from '../state/state-file.js';
import { writeState } from '../state/write-state.js';
import { snapshotAndPlan, type PlanRun } from './run-plan.js';

export interface ApplyInputs {
  /** The plan to apply, and the ids of its changes found stale (with why), which are not sent. */
  plan: Plan;
  stale: Map<string, string>;
  providers: Provider[];
  statePath: string;
  auditPath: string;
  /** Batches in flight per platform. */
  parallelism: number;
  /** One line for the person running apply (the CLI writes it to stderr). */
  note?: (line: string) => void;
}

/**
 * What apply runs: a saved plan, with the changes a fresh plan no longer agrees with marked stale
 * (they are reported, not sent), or else the fresh plan itself.
 */
export function planToApply(
  saved: Plan | undefined,
  fresh: Plan,
): { plan: Plan; stale: Map<string, string> } {
  return saved
    ? { plan: saved, stale: staleChanges(saved.changes, fresh.changes) }
    : { plan: fresh, stale: new Map() };
}

/** After an apply: read the platforms and the written state again and plan; empty means converged. */
export async function replanAfterApply(
  run: Pick<PlanRun, 'policy' | 'providers' | 'statePath'>,
  target: string[] | undefined,
  progress: Progress | undefined,
): Promise<Plan> {
  const { plan } = await snapshotAndPlan(
    run.policy,
    run.providers,
    await readState(run.statePath),
    target,
    progress,
  );
  return plan;
}

/**
 * plan → lock → executor → journal → state → audit. The journal names each batch before it is
 * sent; state and the audit log are written after it, so an interrupted run is seen next time.
 */
export async function runApply(inputs: ApplyInputs): Promise<ApplyReport> {
  const lock = await acquireLock(inputs.statePath, 'apply');
  try {
    return await applyUnderLock(inputs);
  } finally {
    await lock.release();
  }
}

async function applyUnderLock(inputs: ApplyInputs): Promise<ApplyReport> {
  const { plan, statePath, auditPath } = inputs;
  const journal = await Journal.open(statePath);
  const interrupted = await journal.inFlight();
  if (interrupted.length > 0)
    inputs.note?.(
      `note: an earlier apply stopped with ${interrupted.length} batch(es) in flight; live state was re-read, so nothing is sent twice`,
    );
  await journal.clear();
  let state: State = await readState(statePath);
  const actor = currentActor();
  const gitCommit = await currentGitCommit();
  const byId = new Map(plan.changes.map((c) => [c.id, c]));
  const planHash = digestOf(plan);
  const record = async (batchChanges: Change[], results: ChangeResult[]) => {
    state = nextState(state, batchChanges, results, plan, gitCommit);
    await writeState(statePath, state);
    await appendAudit(
      auditPath,
      results.map((r) => {
        const change = byId.get(r.changeId)!;
        return {
          time: new Date().toISOString(),
          actor,
          gitCommit,
          planHash,
          address: change.address,
          action: change.action,
          rule: change.reason.rule ?? null,
          result: r.status,
          ...(r.message ? { message: r.message } : {}),
        };
      }),
    );
  };
  const report = await execute(plan.changes, new Map(inputs.providers.map((p) => [p.id, p])), {
    parallelism: inputs.parallelism,
    stale: inputs.stale,
    beforeBatch: (batch: Batch) =>
      journal.begin({
        id: batch.id,
        platform: batch.platform,
        changeIds: batch.changes.map((c) => c.id),
        startedAt: new Date().toISOString(),
      }),
    afterBatch: async (batch, results) => {
      await record(batch.changes, results);
      await journal.complete(
        batch.id,
        results.map((r) => ({ changeId: r.changeId, status: r.status })),
      );
    },
  });
  const unsent = report.results.filter((r) => r.status === 'stale' || r.status === 'skipped');
  if (unsent.length > 0)
    await record(
      unsent.map((r) => byId.get(r.changeId)!),
      unsent,
    );
  await journal.clear();
  return report;
}
