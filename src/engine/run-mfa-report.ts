import { mfaGaps, mfaGraceDays } from '../compile/mfa.js';
import type { MfaReport } from '../model/mfa.js';
import { readAndCompile } from './read-and-compile.js';
import type { PlanContext, PlanInputs } from './run-plan.js';

/**
 * `accord report mfa` (UC-17): load → validate → snapshot (on the snapshot cache, like a plan, so
 * factors are read again only where the System Log says they moved) → compile → who lacks MFA.
 * Nothing is planned and the state file is only read.
 */
export async function runMfaReport(
  inputs: Omit<PlanInputs, 'target'>,
  context: PlanContext,
): Promise<MfaReport> {
  const { policy, snapshots, desired, now } = await readAndCompile(inputs, context, { cached: true });
  const okta = snapshots.okta?.factors;
  const onelogin = snapshots.onelogin?.factors;
  return {
    generatedAt: now.toISOString(),
    read: {
      ...(okta ? { okta: Object.keys(okta).length } : {}),
      ...(onelogin ? { onelogin: Object.keys(onelogin).length } : {}),
    },
    graceDays: mfaGraceDays(policy),
    gaps: mfaGaps(policy, snapshots, desired.people),
  };
}
