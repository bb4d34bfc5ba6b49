import type { Command } from 'commander';
import { runPlan, type PlanInputs } from '../../engine/run-plan.js';
import { serializePlan, signPlan, writePlanFile } from '../../plan/plan-file.js';
import { palette } from '../../render/colors.js';
import { renderPlanMarkdown } from '../../render/plan-markdown.js';
import { renderPlanText } from '../../render/plan-text.js';
import { planContext, type EnvironmentOptions } from '../environment.js';
import { formatOption, secretFromEnv, withPlanInputOptions } from '../options.js';

interface PlanOptions extends PlanInputs, EnvironmentOptions {
  format: 'text' | 'markdown' | 'json';
  out?: string;
  detailedExitcode?: boolean;
}

export function registerPlan(program: Command): void {
  withPlanInputOptions(
    program
      .command('plan')
      .description(
        'read live state, compile the policy and show the ordered change set (exit 0; with --detailed-exitcode 0 none, 1 error, 2 changes)',
      ),
  )
    .addOption(formatOption(['text', 'markdown', 'json'], 'text'))
    .option(
      '-o, --out <file>',
      'save the plan (JSON, with policy digest and snapshot fingerprints) for `accord apply`',
    )
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are changes, 1 on error')
    .action(async (options: PlanOptions) => {
      const planned = await runPlan(options, planContext(options));
      await planned.close();
      const plan = signPlan(planned.plan, secretFromEnv('ACCORD_PLAN_KEY'));
      if (options.out) await writePlanFile(options.out, plan);
      if (options.format === 'json') process.stdout.write(serializePlan(plan));
      else if (options.format === 'markdown')
        process.stdout.write(renderPlanMarkdown(plan).join('\n\n<!-- accord: next comment -->\n\n'));
      else process.stdout.write(`${renderPlanText(plan, palette())}\n`);
      if (options.out)
        process.stderr.write(
          `Saved the plan to ${options.out}; apply it with: accord apply ${options.out}\n`,
        );
      process.exitCode = options.detailedExitcode && plan.changes.length > 0 ? 2 : 0;
    });
}
