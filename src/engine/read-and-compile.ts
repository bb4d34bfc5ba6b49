import { compile, type DesiredState } from '../compile/compile.js';
import type { Snapshots } from '../model/snapshot.js';
import { createProviders } from '../providers/registry.js';
import { snapshotScope } from '../providers/scope.js';
import { snapshotAll } from '../providers/snapshot-all.js';
import {
  loadInputs,
  snapshotCacheOptions,
  type LoadedInputs,
  type PlanContext,
  type PlanInputs,
} from './run-plan.js';

/** What the read-only reports are made from: the policy and state, today's snapshots, and the compile. */
export interface ReadAndCompiled extends LoadedInputs {
  snapshots: Snapshots;
  desired: DesiredState;
  now: Date;
}

/**
 * load → validate → snapshot → compile, and nothing planned or written: the shared front of the
 * reports (`report access`, `report mfa`). With `cached`, the snapshot goes through the
 * environment's snapshot cache as a plan's does (`--refresh` included); the state file is only read.
 */
export async function readAndCompile(
  inputs: Omit<PlanInputs, 'target'>,
  context: PlanContext,
  options: { cached?: boolean } = {},
): Promise<ReadAndCompiled> {
  const loaded = await loadInputs(inputs);
  const { policy, state } = loaded;
  const now = new Date();
  const environment = await context.connect();
  try {
    const providers = createProviders({
      platforms: policy.platforms,
      env: environment.env,
      ...(context.events ? { events: context.events } : {}),
    });
    const snapshots = await snapshotAll(
      providers,
      snapshotScope(policy),
      context.progress,
      options.cached ? { cache: snapshotCacheOptions(loaded, inputs.refresh ?? context.refresh) } : undefined,
    );
    // The same compile, with the same `today`, that a plan made now would use.
    const desired = compile(policy, snapshots, state, { today: now.toISOString().slice(0, 10) });
    return { ...loaded, snapshots, desired, now };
  } finally {
    await environment.close();
  }
}
