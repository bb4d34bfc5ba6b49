import { runPlan, type PlanInputs } from '../../engine/run-plan.js';
import { signPlan, writePlanFile } from '../../plan/plan-file.js';
import { planContext, type EnvironmentOptions } from '../environment.js';
import { secretFromEnv } from '../options.js';
import { writePlan, type PlanFormat } from '../write-plan.js';
import { EXIT } from '../exit-codes.js';

interface PlanOptions extends PlanInputs, EnvironmentOptions {
  format: PlanFormat;
  out?: string;
  detailedExitcode?: boolean;
}

/** `accord plan` (declared in commands/plan.ts). */
export default async function plan(options: PlanOptions): Promise<void> {
  const planned = await runPlan(options, planContext(options));
  await planned.close();
  const plan = signPlan(planned.plan, secretFromEnv('ACCORD_PLAN_KEY'));
  if (options.out) await writePlanFile(options.out, plan);
  writePlan(plan, options.format);
  if (options.out)
    process.stderr.write(`Saved the plan to ${options.out}; apply it with: accord apply ${options.out}\n`);
  // Blocked fails whatever the flags say: otherwise a pull request's check is green and the
  // apply after merge is refused.
  if (plan.blocked) {
    process.stderr.write(`error: the plan is blocked: ${plan.blockedReasons.join('; ')}\n`);
    process.exitCode = EXIT.blocked;
  } else process.exitCode = options.detailedExitcode && plan.changes.length > 0 ? EXIT.changes : EXIT.ok;
}
