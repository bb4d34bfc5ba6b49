import type { ApplyReport } from '../apply/executor.js';
import type { Change } from '../model/change.js';
import type { DriftReport } from '../plan/drift.js';
import type { Plan } from '../plan/types.js';
import { runApply, type ApplyHooks, type ApplyRequest, type Vetted } from './run-apply.js';
import { classifyPlan } from './run-drift.js';
import { readState } from '../state/state-file.js';
import { loadPolicyInputs, planWith, type PlanRun } from './run-plan.js';

export type ReconcileMode = 'report' | 'self-heal';

/** What a scheduled reconcile is run with: an apply's inputs without a plan file, target or override. */
export interface ReconcileRequest extends Omit<
  ApplyRequest,
  'planFile' | 'target' | 'allowLargeChange' | 'overrideReason' | 'verify'
> {
  /** `--report-only`: report even where the policy says self-heal (never the other way round). */
  reportOnly: boolean;
}

export type ReconcileHooks = Pick<ApplyHooks, 'connect' | 'progress' | 'events' | 'note'>;

export interface ReconcileOutcome {
  mode: ReconcileMode;
  environment: string;
  /** What today's plan holds, by kind (drift, lifecycle, pending), before anything ran. */
  found: DriftReport;
  /** Today's plan. */
  plan: Plan;
  /** Why nothing was applied although the plan had changes: guard rails, blocking findings, no applied policy. */
  blockedReasons: string[];
  /**
   * Self-heal: the changes left for the apply of a merge (pending policy, and what depends on
   * it). Report mode leaves everything, and lists nothing here.
   */
  deferred: Change[];
  /** Self-heal that ran: what the executor did. */
  applied?: ApplyReport;
  /** Self-heal that ran: the changes a plan made afterwards still holds, other than the deferred. */
  remaining?: Change[];
}

/**
 * `accord reconcile` (UC-05, UC-26): the scheduled run between merges. `report` tells drift,
 * lifecycle and pending work apart and writes nothing, like `drift`. `self-heal` (Argo CD's
 * word) applies what the policy that a merge applied and today's directories call for: joiners,
 * leavers, expired exceptions and live edits made outside Git. It is an apply with everything an
 * unattended run must not do taken away: no saved plan, no target, no override of a guard rail,
 * and never policy that no merge applied. That is the merge's reviewed plan to run, so pending
 * changes are left to it (and reported), while the leaver the applied policy already
 * deprovisions is not kept waiting for it.
 */
export async function runReconcile(
  request: ReconcileRequest,
  hooks: ReconcileHooks,
): Promise<ReconcileOutcome> {
  const loaded = await loadPolicyInputs(request);
  const { policy } = loaded;
  const mode: ReconcileMode = request.reportOnly ? 'report' : (policy.settings.reconcile ?? 'report');
  const environment = policy.settings.environment;
  if (mode === 'report') {
    // The policy just read is the one planned: report mode reads it once. (Self-heal's apply
    // reads it again, as every apply does, before it takes the lock.)
    const run = await planWith({ ...loaded, state: await readState(loaded.statePath) }, undefined, hooks);
    try {
      const found = await classifyPlan(run, request);
      return {
        mode,
        environment,
        found,
        plan: run.plan,
        blockedReasons: run.plan.blockedReasons,
        deferred: [],
      };
    } finally {
      await run.close();
    }
  }
  let found: DriftReport | undefined;
  let heal: Heal = { refused: [], deferred: [] };
  const outcome = await runApply(
    { ...request, allowLargeChange: false, verify: true },
    {
      ...hooks,
      vet: async (run) => {
        found = await classifyPlan(run, request);
        heal = whatToHeal(run, found);
        return heal;
      },
      show: () => {},
      // Nobody is there to ask: what runs was vetted above, and the guard rails still hold.
      approve: () => Promise.resolve(),
    },
  );
  const deferred = new Set(heal.deferred.map((c) => c.id));
  return {
    mode,
    environment,
    found: found!,
    plan: outcome.plan,
    blockedReasons: heal.refused,
    deferred: heal.deferred,
    ...(outcome.report ? { applied: outcome.report } : {}),
    ...(outcome.again ? { remaining: outcome.again.changes.filter((c) => !deferred.has(c.id)) } : {}),
  };
}

type Heal = Vetted & { refused: string[]; deferred: Change[] };

/**
 * What self-heal may run unattended: everything when the policy is the last applied one; only
 * what that policy also wants (drift and lifecycle) when a merged change is not applied yet,
 * less what depends on the rest; nothing when the plan is blocked or no applied policy is known.
 */
export function whatToHeal(run: Pick<PlanRun, 'plan' | 'state'>, found: DriftReport): Heal {
  const { plan } = run;
  if (plan.blockedReasons.length > 0) return { refused: [...plan.blockedReasons], deferred: [] };
  if (plan.changes.length === 0 || found.basis === 'policy-unchanged') return { refused: [], deferred: [] };
  if (found.basis !== 'last-applied-policy' || !run.state.lastApply)
    return {
      refused: [
        found.basis === 'never-applied'
          ? 'nothing has been applied in this environment yet: the first apply is reviewed (`accord plan --out`, then `accord apply PLANFILE`)'
          : 'the policy the last apply ran cannot be read (its commit is not in this clone: check out with full history), so what it calls for cannot be told from policy not applied yet',
      ],
      deferred: [],
    };
  const only = closedUnderDependencies(
    plan.changes,
    new Set([...found.drift, ...found.lifecycle].map((e) => e.change.id)),
  );
  const { policyDigest, gitCommit } = run.state.lastApply;
  return {
    refused: [],
    deferred: plan.changes.filter((c) => !only.has(c.id)),
    only,
    recordAs: { policyDigest, ...(gitCommit ? { gitCommit } : {}) },
  };
}

/** The wanted changes, less every one that depends, directly or not, on a change left out. */
export function closedUnderDependencies(
  changes: readonly Change[],
  wanted: ReadonlySet<string>,
): Set<string> {
  const inPlan = new Map(changes.map((c) => [c.id, c]));
  const kept = new Set([...wanted].filter((id) => inPlan.has(id)));
  let dropped = true;
  while (dropped) {
    dropped = false;
    for (const id of kept)
      if (inPlan.get(id)!.dependsOn.some((d) => inPlan.has(d) && !kept.has(d))) {
        kept.delete(id);
        dropped = true;
      }
  }
  return kept;
}
