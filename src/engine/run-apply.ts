import { execute, type Batch, type ApplyReport } from '../apply/executor.js';
import { IntervalRecorder } from '../apply/recorder.js';
import { staleChanges } from '../apply/preconditions.js';
import type { Change } from '../model/change.js';
import { digestOf } from '../model/canonical-json.js';
import type { State } from '../model/state.js';
import type { Plan } from '../plan/types.js';
import type { Progress, Provider } from '../providers/provider.js';
import { appendAudit, withAuditHead, currentActor, currentGitCommit } from '../state/audit.js';
import { Journal } from '../state/journal.js';
import { acquireLock, describeLock } from '../state/lock.js';
import { nextState, withSourceFacts } from '../state/next-state.js';
import { readState } from '../state/state-file.js';
import { writeState } from '../state/write-state.js';
import { AccordError } from '../errors.js';
import { checkPlanFor, readPlanFile, verifyPlanIntegrity, verifyPlanSignature } from '../plan/plan-file.js';
import {
  loadPolicyInputs,
  planWith,
  snapshotAndPlan,
  type PlanContext,
  type PlanInputs,
  type PlanRun,
} from './run-plan.js';
import { auditFields, foldCompleted, reachedPlatform, recordRecovered } from './recover-in-flight.js';

export interface ApplyRequest extends PlanInputs {
  /** A plan saved by `accord plan --out`; without one, the fresh plan is applied. */
  planFile?: string;
  /** Where the audit log of this state file is. */
  auditPath: (statePath: string) => string;
  /** The user's cap on batches in flight per platform; unset, each provider's declared concurrency. */
  parallelism?: number;
  /** The state file is written at most this often during the run (and at the end). @default 1000 */
  stateIntervalMs?: number;
  /** Apply a plan that guard rails blocked. */
  allowLargeChange: boolean;
  /** Why (ACCORD_OVERRIDE_REASON): written to the audit log of a run with `allowLargeChange`. */
  overrideReason?: string;
  /** Plan again afterwards, to report whether live state converged. */
  verify: boolean;
  /** How long to wait for a state lock another run holds; 0 refuses at once. */
  lockTimeoutMs: number;
  /** ACCORD_AUDIT_KEY: audit lines and the head in state are HMAC'd with it. */
  auditKey?: string;
  /** ACCORD_PLAN_KEY: a saved plan must be signed with it. */
  planKey?: string;
}

export interface ApplyHooks extends PlanContext {
  /** Shown the plan about to run, with the saved changes found stale. */
  show(plan: Plan, stale: Map<string, string>, saved: boolean): void;
  /** Asked before a fresh (unreviewed) plan runs; throws to refuse. Not asked for a saved plan. */
  approve(plan: Plan): Promise<void>;
  /** One line for the person running apply (the CLI writes it to stderr). */
  note(line: string): void;
  /**
   * Judges the fresh plan, under the lock, before anything is shown or sent (reconcile): the
   * reasons it gives stop the apply with nothing written; `only` narrows it to those changes.
   */
  vet?(run: PlanRun): Promise<Vetted>;
}

export interface Vetted {
  refused?: string[];
  /** Change ids to run, closed under `dependsOn`; the rest of the plan is left for later. */
  only?: ReadonlySet<string>;
  /**
   * The policy the narrowed changes carry out, for state's `lastApply`, when it is not the plan's:
   * reconcile runs what the last applied policy also wants, so that stays the applied one.
   */
  recordAs?: { policyDigest: string; gitCommit?: string };
}

export interface ApplyOutcome {
  plan: Plan;
  /** Absent when there was nothing to apply. */
  report?: ApplyReport;
  /** With `verify`: the plan made after applying; empty means converged. */
  again?: Plan;
  /** Why `vet` stopped the apply; nothing was sent. */
  refused?: string[];
}

/**
 * `accord apply`: plan file → policy → lock → journal check → state → snapshot → plan → (approve)
 * → executor → journal → state → audit. A saved plan is read and checked against the policy before
 * any platform is contacted, so a broken or foreign file is refused first.
 */
export async function runApply(request: ApplyRequest, hooks: ApplyHooks): Promise<ApplyOutcome> {
  // What was reviewed is what is applied: a saved plan is never narrowed on the way (Terraform
  // refuses this too). A targeted plan is saved targeted, and reviewed as such.
  if (request.planFile && request.target && request.target.length > 0)
    throw new AccordError('--target cannot narrow a saved plan: what was reviewed is what is applied', {
      code: 'apply.target-with-plan',
      hint: `apply ${request.planFile} without --target, or plan again with --target --out FILE and apply that file`,
    });
  const saved = request.planFile ? await readPlanFile(request.planFile) : undefined;
  const { policy, statePath } = await loadPolicyInputs(request);
  if (saved && request.planFile) {
    verifyPlanSignature(saved, request.planKey, request.planFile);
    verifyPlanIntegrity(saved, request.planFile);
  }
  if (saved && request.planFile)
    checkPlanFor(
      saved,
      { environment: policy.settings.environment, digest: policy.digest, folder: request.policies },
      request.planFile,
    );
  // The lock comes before live state is read: a second apply must not plan from what the first is
  // about to change.
  const lock = await acquireLock(statePath, 'apply', process.env, {
    timeoutMs: request.lockTimeoutMs,
    onWait: (held) =>
      hooks.note(
        `waiting up to ${Math.round(request.lockTimeoutMs / 1000)} s for the state lock held by ${held ? describeLock(held) : 'another run'}`,
      ),
  });
  try {
    const journal = await Journal.open(statePath);
    // State is written on an interval: what a killed run completed since its last write goes into
    // state before anything is planned from it.
    const folded = await foldCompleted(journal, {
      statePath,
      auditPath: request.auditPath(statePath),
      ...(request.auditKey !== undefined ? { auditKey: request.auditKey } : {}),
    });
    if (folded > 0)
      hooks.note(
        `note: an earlier apply stopped before it wrote ${folded} completed change(s) to state; they are in state now (and were already in the audit log)`,
      );
    const interrupted = await journal.inFlight();
    if (interrupted.length > 0)
      hooks.note(
        `note: an earlier apply stopped with ${interrupted.length} batch(es) in flight; live state was re-read, so nothing is sent twice`,
      );
    const run = await planWith(
      { policy, statePath, state: await readState(statePath) },
      request.target,
      hooks,
    );
    try {
      const recovered = await recordRecovered(reachedPlatform(interrupted, run.plan), {
        statePath,
        auditPath: request.auditPath(statePath),
        ...(request.auditKey !== undefined ? { auditKey: request.auditKey } : {}),
        actor: currentActor(),
        gitCommit: await currentGitCommit(),
        plan: run.plan,
      });
      if (recovered > 0)
        hooks.note(
          `note: ${recovered} change(s) of the interrupted apply had reached the platforms; they are now in the audit log and state`,
        );
      const vetted = hooks.vet ? await hooks.vet(run) : {};
      if (vetted.refused && vetted.refused.length > 0) return { plan: run.plan, refused: vetted.refused };
      return await applyPlanned(request, hooks, { saved, run, journal, vetted });
    } finally {
      await run.close();
    }
  } finally {
    await lock.release();
  }
}

/** Under the lock, with a fresh plan: show, check guard rails, approve, execute, verify. */
async function applyPlanned(
  request: ApplyRequest,
  hooks: ApplyHooks,
  {
    saved,
    run,
    journal,
    vetted,
  }: { saved: Plan | undefined; run: PlanRun; journal: Journal; vetted: Vetted },
): Promise<ApplyOutcome> {
  const { plan, stale } = planToApply(saved, narrowed(run.plan, vetted.only));
  hooks.show(plan, stale, saved !== undefined);
  if (plan.changes.length === 0) {
    await journal.clear();
    return { plan };
  }
  // Guard rails are judged on the fresh plan, never on what a saved file says about itself.
  const guarded = run.plan;
  if (guarded.blocked && !request.allowLargeChange)
    throw new AccordError(`the plan is blocked by guard rails: ${guarded.blockedReasons.join('; ')}`, {
      code: 'apply.blocked',
      hint: 'review it; if it is intended, apply with --allow-large-change',
    });
  if (!saved) await hooks.approve(plan);
  // The reason goes with every run allowed to pass guard rails, blocked this time or not: the
  // log shows who was let through, and why, even when the rails happened not to trip.
  const override = request.allowLargeChange ? request.overrideReason?.trim() : undefined;
  const report = await executeAndRecord({
    ...(override ? { override } : {}),
    plan,
    stale,
    providers: run.providers,
    statePath: run.statePath,
    auditPath: request.auditPath(run.statePath),
    ...(request.parallelism !== undefined ? { parallelism: request.parallelism } : {}),
    ...(request.stateIntervalMs !== undefined ? { stateIntervalMs: request.stateIntervalMs } : {}),
    journal,
    ...(request.auditKey !== undefined ? { auditKey: request.auditKey } : {}),
    ...(vetted.recordAs ? { recordAs: vetted.recordAs } : {}),
    // A targeted apply leaves the rest undone: its facts are not recorded as applied.
    ...(request.target ? {} : { facts: { of: run.facts, wanted: run.plan.changes } }),
  });
  if (!request.verify) return { plan, report };
  return { plan, report, again: await replanAfterApply(run, request.target, hooks.progress) };
}

/**
 * What apply runs: a saved plan, with the changes a fresh plan no longer agrees with marked stale
 * (they are reported, not sent), or else the fresh plan itself.
 */
function planToApply(saved: Plan | undefined, fresh: Plan): { plan: Plan; stale: Map<string, string> } {
  return saved
    ? { plan: saved, stale: staleChanges(saved.changes, fresh.changes) }
    : { plan: fresh, stale: new Map() };
}

/** The plan with only the vetted changes; the rest stays for a later apply. */
function narrowed(plan: Plan, only: ReadonlySet<string> | undefined): Plan {
  return only ? { ...plan, changes: plan.changes.filter((c) => only.has(c.id)) } : plan;
}

/** After an apply: read the platforms and the written state again and plan; empty means converged. */
async function replanAfterApply(
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

/** The executor's inputs: a plan, what of it is stale, where it goes, and where it is recorded. */
interface ExecuteInputs {
  plan: Plan;
  stale: Map<string, string>;
  providers: Provider[];
  statePath: string;
  auditPath: string;
  parallelism?: number;
  stateIntervalMs?: number;
  journal: Journal;
  auditKey?: string;
  /** Why a guard rail was overridden, for every audit entry of this run. */
  override?: string;
  /** People's source facts to record once the plan ran, and what the fresh plan wanted done. */
  facts?: { of: () => Record<string, string>; wanted: readonly Change[] };
  /** See `Vetted.recordAs`. */
  recordAs?: Vetted['recordAs'];
}

/**
 * executor → journal → audit → state, under the lock the caller holds. The journal names each
 * batch, changes included, before it is sent; after it, the audit log gets its entries and the
 * journal its `complete`, and state (large) is written on an interval and at the end, each write
 * followed by a journal `checkpoint` (apply/recorder.ts). So an interrupted run is seen, and
 * recorded, next time: batches in flight against the fresh plan, completed ones not yet in state
 * folded in from the journal. The log is written before state so that state's head never names an
 * entry the log lacks.
 */
async function executeAndRecord(inputs: ExecuteInputs): Promise<ApplyReport> {
  const { plan, statePath, auditPath, journal } = inputs;
  await journal.clear();
  const actor = currentActor();
  const gitCommit = await currentGitCommit();
  const byId = new Map(plan.changes.map((c) => [c.id, c]));
  const planHash = digestOf(plan);
  // What state's lastApply names: the plan's policy and this commit, or the one the run carries out.
  const applied = inputs.recordAs
    ? {
        plan: { ...plan, policyDigest: inputs.recordAs.policyDigest },
        gitCommit: inputs.recordAs.gitCommit ?? null,
      }
    : { plan, gitCommit };
  // Before the first batch: how a later run folds this one's completed batches into state.
  await journal.run({
    planHash,
    policyDigest: applied.plan.policyDigest,
    snapshotFingerprints: plan.snapshotFingerprints,
    gitCommit: applied.gitCommit,
  });
  const recorder = new IntervalRecorder<State>(
    await readState(statePath),
    {
      audit: async (_changes, results) =>
        (
          await appendAudit(
            auditPath,
            results.map((r) => ({
              ...auditFields(byId.get(r.changeId)!),
              time: new Date().toISOString(),
              actor,
              gitCommit,
              planHash,
              result: r.status,
              ...(r.message ? { message: r.message } : {}),
              ...(inputs.override ? { override: inputs.override } : {}),
            })),
            inputs.auditKey,
          )
        ).at(-1),
      complete: (batchId, results) =>
        journal.complete(
          batchId,
          results.map((r) => ({ changeId: r.changeId, status: r.status })),
        ),
      fold: (state, changes, results, head) =>
        withAuditHead(
          nextState(state, changes, results, applied.plan, applied.gitCommit),
          head,
          inputs.auditKey,
        ),
      write: (state) => writeState(statePath, state),
      checkpoint: (batchIds) => journal.checkpoint(batchIds),
    },
    inputs.stateIntervalMs !== undefined ? { intervalMs: inputs.stateIntervalMs } : {},
  );
  let beginMs = 0;
  const report = await execute(plan.changes, new Map(inputs.providers.map((p) => [p.id, p])), {
    ...(inputs.parallelism !== undefined ? { parallelism: inputs.parallelism } : {}),
    stale: inputs.stale,
    beforeBatch: async (batch: Batch) => {
      const start = performance.now();
      await journal.begin({
        id: batch.id,
        platform: batch.platform,
        changeIds: batch.changes.map((c) => c.id),
        startedAt: new Date().toISOString(),
        changes: batch.changes,
        planHash,
      });
      beginMs += performance.now() - start;
    },
    afterBatch: (batch, results) => recorder.record(batch.id, batch.changes, results),
  });
  const unsent = report.results.filter((r) => r.status === 'stale' || r.status === 'skipped');
  if (unsent.length > 0)
    await recorder.record(
      undefined,
      unsent.map((r) => byId.get(r.changeId)!),
      unsent,
    );
  const facts = inputs.facts;
  await recorder.finish(
    facts
      ? (state) => {
          const done = new Set(report.results.filter((r) => r.status === 'applied').map((r) => r.changeId));
          const unapplied = new Set<string>();
          for (const list of [plan.changes, facts.wanted])
            for (const c of list) if (c.person && !done.has(c.id)) unapplied.add(c.person);
          return withAuditHead(withSourceFacts(state, facts.of(), unapplied), undefined, inputs.auditKey);
        }
      : undefined,
  );
  await journal.clear();
  const stats = recorder.stats;
  return {
    ...report,
    recording: {
      ...stats,
      journalAppends: journal.stats.appends,
      journalWrites: journal.stats.writes,
      journalMs: stats.journalMs + beginMs,
    },
  };
}
