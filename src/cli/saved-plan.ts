import { readPlanFile, verifyPlanIntegrity, verifyPlanSignature } from '../plan/plan-file.js';
import type { Plan } from '../plan/types.js';
import { secretFromEnv } from './options.js';

/** What a shown plan's signature was found to be. */
export type SignatureCheck = 'verified' | 'not-checked' | 'unsigned';

/**
 * A saved plan for `show` and `graph PLANFILE`, checked as `apply PLANFILE` checks it before it
 * trusts it (engine/run-apply.ts: shape, then signature, then edits), so a file apply would refuse
 * is refused here with the same PlanFileError and never shown as if it were sound. What apply
 * checks against the policy (environment, digest) is left out: showing needs no policy.
 */
export async function readSavedPlan(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ plan: Plan; signature: SignatureCheck }> {
  const plan = await readPlanFile(path);
  const key = secretFromEnv('ACCORD_PLAN_KEY', env);
  verifyPlanSignature(plan, key, path);
  verifyPlanIntegrity(plan, path);
  return { plan, signature: key ? 'verified' : plan.signature ? 'not-checked' : 'unsigned' };
}
