import { runPlan, type PlanInputs } from '../../engine/run-plan.js';
import { signPlan, writePlanFile } from '../../plan/plan-file.js';
import { planContext, type EnvironmentOptions } from '../environment.js';
import { secretFromEnv } from '../options.js';
import { writePlan, type PlanFormat } from '../write-plan.js';

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
  process.exitCode = options.detailedExitcode && plan.changes.length > 0 ? 2 : 0;
}
