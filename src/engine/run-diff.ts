import type { Snapshots, SnapshotScope } from '../model/snapshot.js';
import { emptyState, type State } from '../model/state.js';
import type { Policy } from '../policy/policy.js';
import type { Provider, ProviderEvents } from '../providers/provider.js';
import { createProviders } from '../providers/registry.js';
import { snapshotScope } from '../providers/scope.js';
import { snapshotAll } from '../providers/snapshot-all.js';
import { defaultStatePath, readState } from '../state/state-file.js';
import type { PlanContext } from './run-plan.js';
import { diffAccess, unionScope } from '../plan/access-impact.js';
import {
  InvalidPolicyAtRef,
  loadPolicyAtRef,
  openPolicyRepo,
  type PolicyAtRef,
} from '../gitops/policy-at-ref.js';
import { diffPolicies } from '../plan/semantic-diff.js';
import { POLICY_DIFF_FORMAT_VERSION, type RefDiff, type RefSide } from '../plan/ref-diff.js';

export interface DiffRefsOptions {
  base: string;
  head: string;
  policies: string;
  noCode?: boolean;
  cwd?: string;
  now: Date;
  /** Reads the platforms for the impact; omitted means no impact (policy diff only). */
  snapshot?: (scope: SnapshotScope, policies: { base: Policy; head: Policy }) => Promise<Snapshots>;
  /** State both policies are compiled with (links matter to who is who). */
  state?: (head: Policy) => Promise<State>;
}

const side = (p: PolicyAtRef & { policy: Policy }): RefSide => ({
  ref: p.ref,
  commit: p.commit,
  digest: p.policy.digest,
  files: p.policy.files,
});

function valid(p: PolicyAtRef): PolicyAtRef & { policy: Policy } {
  if (!p.policy) throw new InvalidPolicyAtRef(p);
  return p as PolicyAtRef & { policy: Policy };
}

/** Policies at two refs, their semantic diff, and (given a way to read the platforms) the access impact. */
export async function diffRefs(options: DiffRefsOptions): Promise<RefDiff> {
  const repo = await openPolicyRepo(options.cwd);
  const read = { policies: options.policies, today: options.now.toISOString().slice(0, 10) };
  const opts = {
    ...read,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.noCode ? { noCode: true } : {}),
  };
  // One after the other: both write a scratch copy under the git directory, and a failure in the
  // first should not leave the second half done.
  const base = valid(await loadPolicyAtRef(repo, options.base, opts));
  const head = valid(await loadPolicyAtRef(repo, options.head, opts));
  const result: RefDiff = {
    formatVersion: POLICY_DIFF_FORMAT_VERSION,
    base: side(base),
    head: side(head),
    policy: diffPolicies(base.policy, head.policy),
  };
  if (!options.snapshot) return result;
  const scope = unionScope(snapshotScope(base.policy), snapshotScope(head.policy));
  const snapshots = await options.snapshot(scope, { base: base.policy, head: head.policy });
  const state = options.state ? await options.state(head.policy) : emptyState();
  return {
    ...result,
    impact: diffAccess({ base: base.policy, head: head.policy, snapshots, state, now: options.now }),
  };
}

export interface DiffInputs {
  base: string;
  head: string;
  policies: string;
  code: boolean;
  /** Read the platforms for who gains and loses what; false compares the policies alone. */
  impact: boolean;
  /** The state file; by default the head policy environment's. */
  state?: string;
}

/** `accord diff`: the policies at two refs, and with `impact` what each person gains and loses. */
export function runDiff(inputs: DiffInputs, context: PlanContext): Promise<RefDiff> {
  return diffRefs({
    base: inputs.base,
    head: inputs.head,
    policies: inputs.policies,
    noCode: !inputs.code,
    now: new Date(),
    ...(inputs.impact
      ? {
          snapshot: async (scope, policies) => {
            const environment = await context.connect();
            try {
              return await snapshotAll(
                providersFor(policies, environment.env, context.events),
                scope,
                context.progress,
              );
            } finally {
              await environment.close();
            }
          },
          state: (head: Policy) => readState(inputs.state ?? defaultStatePath(head.settings.environment)),
        }
      : {}),
  });
}

/** The providers both policies need: an org only one side declares is read too. */
function providersFor(
  policies: { base: Policy; head: Policy },
  env: NodeJS.ProcessEnv,
  events: ProviderEvents | undefined,
): Provider[] {
  const seen = new Set<string>();
  return [policies.head, policies.base]
    .flatMap((policy) => createProviders({ platforms: policy.platforms, env, ...(events ? { events } : {}) }))
    .filter((p) => !seen.has(p.id) && !!seen.add(p.id));
}
