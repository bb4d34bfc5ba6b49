import { hasErrors, InvalidPolicyError } from '../policy/diagnostics.js';
import { loadPolicy } from '../policy/validate.js';
import type { Policy } from '../policy/policy.js';
import type { Snapshots } from '../model/snapshot.js';
import type { State } from '../model/state.js';
import type { Progress, Provider, ProviderEvents } from '../providers/provider.js';
import { createProviders } from '../providers/registry.js';
import { snapshotScope } from '../providers/scope.js';
import { snapshotAll, type SnapshotAllOptions } from '../providers/snapshot-all.js';
import { snapshotCachePath, type RefreshMode } from '../providers/snapshot-cache.js';
import { createPlan, planWithFacts } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import { defaultStatePath, readState } from '../state/state-file.js';
import type { Connect } from './environment.js';
import { checkTargets } from './targets.js';

/** What a plan is made from, as the user names it. */
export interface PlanInputs {
  policies: string;
  code: boolean;
  /** The state file; by default the policy environment's. */
  state?: string;
  /** Address prefixes to narrow the plan to (`--target`). */
  target?: string[];
  /** `--refresh`: `full` ignores the snapshot cache (and writes a fresh one). Default `auto`. */
  refresh?: RefreshMode;
}

export interface PlanContext {
  connect: Connect;
  progress?: Progress;
  /** Where providers report their waits (and requests). */
  events?: ProviderEvents;
  /** `full`: read every platform in full, ignoring the snapshot cache. Default `auto`. */
  refresh?: RefreshMode;
}

/** The local inputs of a plan: a valid policy and the state it is planned against. */
export interface LoadedInputs {
  policy: Policy;
  statePath: string;
  state: State;
}

/** A plan and everything it was made from; `close` ends the connection the providers use. */
export interface PlanRun extends LoadedInputs {
  plan: Plan;
  snapshots: Snapshots;
  /** Each person's source-facts digest (compile/source-facts.ts), worked out when first asked for. */
  facts: () => Record<string, string>;
  providers: Provider[];
  close: () => Promise<void>;
}

/** load → validate, and where the environment's state lives. */
export async function loadPolicyInputs(
  inputs: Omit<PlanInputs, 'target'>,
): Promise<Omit<LoadedInputs, 'state'>> {
  const loaded = await loadPolicy(inputs.policies, { noCode: !inputs.code });
  if (!loaded.policy || hasErrors(loaded.diagnostics))
    throw new InvalidPolicyError(loaded.diagnostics, 'the policy is invalid; nothing was planned', {
      hint: 'run `accord validate` and fix the errors above',
    });
  const policy = loaded.policy;
  return { policy, statePath: inputs.state ?? defaultStatePath(policy.settings.environment) };
}

/** load → validate, then the state: everything a plan needs that is not on a platform. */
export async function loadInputs(inputs: Omit<PlanInputs, 'target'>): Promise<LoadedInputs> {
  const loaded = await loadPolicyInputs(inputs);
  return { ...loaded, state: await readState(loaded.statePath) };
}

/** load → validate → snapshot → compile → plan: the pipeline every plan-shaped command shares. */
export async function runPlan(inputs: PlanInputs, context: PlanContext): Promise<PlanRun> {
  return planWith(
    await loadInputs(inputs),
    inputs.target,
    inputs.refresh ? { ...context, refresh: inputs.refresh } : context,
  );
}

/** snapshot → compile → plan from inputs already loaded (apply checks a saved plan in between). */
export async function planWith(
  loaded: LoadedInputs,
  target: string[] | undefined,
  context: PlanContext,
): Promise<PlanRun> {
  const environment = await context.connect();
  try {
    const providers = createProviders({
      platforms: loaded.policy.platforms,
      env: environment.env,
      ...(context.events ? { events: context.events } : {}),
    });
    const { snapshots, plan, facts } = await snapshotAndPlan(
      loaded.policy,
      providers,
      loaded.state,
      target,
      context.progress,
      { cache: snapshotCacheOptions(loaded, context.refresh) },
    );
    checkTargets(
      target,
      plan,
      snapshots,
      loaded.state,
      () => createPlan(loaded.policy, snapshots, loaded.state, { now: new Date(plan.createdAt) }).changes,
    );
    return { ...loaded, plan, snapshots, facts, providers, close: environment.close };
  } catch (error) {
    await environment.close();
    throw error;
  }
}

/** snapshot → plan through providers already made: the tail of every plan, and apply's re-plan for --verify. */
export async function snapshotAndPlan(
  policy: Policy,
  providers: Provider[],
  state: State,
  targets: string[] | undefined,
  progress: Progress | undefined,
  snapshotOptions: SnapshotAllOptions = {},
): Promise<{ snapshots: Snapshots; plan: Plan; facts: () => Record<string, string> }> {
  const snapshots = await snapshotAll(providers, snapshotScope(policy), progress, snapshotOptions);
  const planned = planWithFacts(policy, snapshots, state, {
    now: new Date(),
    ...(targets ? { targets } : {}),
  });
  return { snapshots, ...planned };
}

/**
 * The environment's snapshot cache, beside its state file (providers/snapshot-cache.ts), with a
 * full read at least every DEFAULT_FULL_RESYNC_HOURS.
 */
export const snapshotCacheOptions = (
  loaded: Pick<LoadedInputs, 'statePath'>,
  refresh: RefreshMode | undefined,
): NonNullable<SnapshotAllOptions['cache']> => ({
  path: snapshotCachePath(loaded.statePath),
  refresh: refresh ?? 'auto',
});
