import { palette } from '../../render/colors.js';
import type { Plan } from '../../plan/types.js';
import { readSavedPlan, type SignatureCheck } from '../saved-plan.js';
import { writePlan, type PlanFormat } from '../write-plan.js';

const SIGNATURE_TEXT: Record<SignatureCheck, string> = {
  verified: 'signature verified with ACCORD_PLAN_KEY',
  'not-checked': 'signed; set ACCORD_PLAN_KEY to check the signature',
  unsigned: 'not signed',
};

/** `accord show PLANFILE` (declared in commands/show.ts). */
export default async function show(planfile: string, options: { format: PlanFormat }): Promise<void> {
  const { plan, signature } = await readSavedPlan(planfile);
  // The machine formats stay exactly the plan's own; the heading is for a person reading text.
  if (options.format === 'text') process.stdout.write(`${heading(planfile, plan, signature)}\n\n`);
  writePlan(plan, options.format);
  process.exitCode = 0;
}

function heading(planfile: string, plan: Plan, signature: SignatureCheck): string {
  const c = palette();
  return c.bold(
    `Saved plan ${planfile}: environment "${plan.environment}", planned at ${plan.createdAt}, ${SIGNATURE_TEXT[signature]}.`,
  );
}
