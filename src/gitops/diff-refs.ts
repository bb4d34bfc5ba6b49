import { AccordError } from '../errors.js';
import type { Snapshots, SnapshotScope } from '../model/snapshot.js';
import { emptyState, type State } from '../model/state.js';
import type { Policy } from '../policy/policy.js';
import { snapshotScope } from '../providers/scope.js';
import { diffAccess, unionScope, type AccessDiff } from './access-impact.js';
import { loadPolicyAtRef, openPolicyRepo, type PolicyAtRef } from './policy-at-ref.js';
import { diffPolicies, type PolicyDiff } from './semantic-diff.js';

export const POLICY_DIFF_FORMAT_VERSION = 1;

export interface RefSide {
  ref: string;
  commit: string;
  digest: string;
  files: string[];
}

/** `accord diff`'s result: a plain, JSON-serialisable value. */
export interface RefDiff {
  formatVersion: typeof POLICY_DIFF_FORMAT_VERSION;
  base: RefSide;
  head: RefSide;
  policy: PolicyDiff;
  /** Absent with `--no-impact` (no platform was read). */
  impact?: AccessDiff;
}

/** Thrown when a side's policy does not validate; carries the diagnostics for the caller to print. */
export class InvalidPolicyAtRef extends AccordError {
  constructor(readonly side: PolicyAtRef) {
    super(`the policy at ${side.ref} (${side.commit.slice(0, 12)}) is invalid; nothing was compared`, {
      code: 'diff.invalid-policy',
      hint: `check it out and run \`accord validate\`, or see the errors above`,
    });
  }
}

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
