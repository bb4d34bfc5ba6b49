import { loadPolicyAtRef, openPolicyRepo } from '../gitops/policy-at-ref.js';
import { driftReport, type DriftReport } from '../plan/drift.js';
import { createPlan } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import { runPlan, type PlanContext, type PlanInputs, type PlanRun } from './run-plan.js';

/**
 * A refresh-only comparison (nothing is written): today's plan, told apart into drift (what the
 * last applied policy would also change, for people whose source facts did not move: someone
 * changed it outside Git), lifecycle (what it would change because their facts moved) and pending
 * (policy not applied yet), by planning the last applied policy, read at its commit, against the
 * same snapshots, and comparing facts with those the last apply recorded.
 */
export async function runDrift(inputs: PlanInputs, context: PlanContext): Promise<DriftReport> {
  const run = await runPlan(inputs, context);
  try {
    return await classifyPlan(run, inputs);
  } finally {
    await run.close();
  }
}

/** A plan run's changes told apart into drift, lifecycle and pending (see `runDrift`). */
export async function classifyPlan(run: PlanRun, inputs: Omit<PlanInputs, 'target'>): Promise<DriftReport> {
  const { basis, lastPlan } = await lastAppliedPlan(run, inputs);
  return driftReport(run.plan, run.snapshots, basis, lastPlan, {
    current: run.facts(),
    ...(run.state.sourceFacts ? { recorded: run.state.sourceFacts } : {}),
    ...(run.state.lastApply ? { lastApplyAt: run.state.lastApply.at } : {}),
    exceptions: run.policy.exceptions,
  });
}

async function lastAppliedPlan(
  { plan, policy, snapshots, state }: PlanRun,
  inputs: Omit<PlanInputs, 'target'>,
): Promise<{ basis: DriftReport['basis']; lastPlan?: Plan }> {
  if (state.lastApply?.policyDigest === policy.digest) return { basis: 'policy-unchanged' };
  if (!state.lastApply?.gitCommit) return { basis: 'never-applied' };
  try {
    const repo = await openPolicyRepo();
    const then = await loadPolicyAtRef(repo, state.lastApply.gitCommit, {
      policies: inputs.policies,
      noCode: !inputs.code,
    });
    if (then.policy)
      return {
        basis: 'last-applied-policy',
        lastPlan: createPlan(then.policy, snapshots, state, { now: new Date(plan.createdAt) }),
      };
  } catch {
    // Outside a repository, or the commit is gone: drift and pending cannot be told apart.
  }
  return { basis: 'unknown-last-policy' };
}
