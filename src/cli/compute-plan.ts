import { writeFile } from 'node:fs/promises';
import { AccordError } from '../errors.js';
import { hasErrors } from '../policy/diagnostics.js';
import { loadPolicy } from '../policy/validate.js';
import type { Policy } from '../policy/policy.js';
import type { Snapshots } from '../model/snapshot.js';
import type { State } from '../model/state.js';
import { createProviders } from '../providers/registry.js';
import { snapshotScope } from '../providers/scope.js';
import { snapshotAll } from '../providers/snapshot-all.js';
import { createPlan } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import { palette } from '../render/colors.js';
import { renderDiagnostics } from '../render/diagnostics.js';
import { defaultStatePath, readState } from '../state/state-file.js';
import type { Provider } from '../providers/provider.js';
import { openEnvironment, type EnvironmentOptions } from './environment.js';
import { stderrProgress } from './progress.js';

export interface PlanInputOptions extends EnvironmentOptions {
  policies: string;
  code: boolean;
  state?: string;
  target?: string[];
}

/** load → validate → snapshot → compile → plan: the stages every plan-shaped command shares. */
export async function computePlan(options: PlanInputOptions): Promise<{
  plan: Plan;
  policy: Policy;
  snapshots: Snapshots;
  state: State;
  providers: Provider[];
  close: () => Promise<void>;
}> {
  const loaded = await loadPolicy(options.policies, { noCode: !options.code });
  if (!loaded.policy || hasErrors(loaded.diagnostics)) {
    process.stderr.write(`${renderDiagnostics(loaded.diagnostics, palette(process.stderr))}\n`);
    throw new AccordError('the policy is invalid; nothing was planned', {
      hint: 'run `accord validate` and fix the errors above',
    });
  }
  const policy = loaded.policy;
  const state = await readState(options.state ?? defaultStatePath(policy.settings.environment));
  const environment = await openEnvironment(options);
  try {
    const providers = createProviders({ platforms: policy.platforms, env: environment.env });
    const { snapshots, plan } = await snapshotAndPlan(policy, providers, state, options.target);
    return { plan, policy, snapshots, state, providers, close: environment.close };
  } catch (error) {
    await environment.close();
    throw error;
  }
}

/** snapshot → plan through providers already made: the tail of computePlan, and apply's re-plan for --verify. */
export async function snapshotAndPlan(
  policy: Policy,
  providers: Provider[],
  state: State,
  targets?: string[],
): Promise<{ snapshots: Snapshots; plan: Plan }> {
  const snapshots = await snapshotAll(providers, snapshotScope(policy), stderrProgress());
  const plan = createPlan(policy, snapshots, state, { now: new Date(), ...(targets ? { targets } : {}) });
  return { snapshots, plan };
}

export const writePlanFile = (path: string, json: string) => writeFile(path, json, { mode: 0o600 });
