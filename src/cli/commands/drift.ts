import type { Command } from 'commander';
import { runDrift } from '../../engine/run-drift.js';
import type { PlanInputs } from '../../engine/run-plan.js';
import { renderDriftMarkdown, renderDriftText } from '../../render/drift.js';
import { planContext, type EnvironmentOptions } from '../environment.js';
import { formatOption, withPlanInputOptions } from '../options.js';

/**
 * `accord drift`: a refresh-only comparison (nothing is written). Exit 0 clean, 2 drift found or
 * a person left unresolved (a blocking finding), 1 error; pending policy alone is reported but
 * exits 0 (the apply workflow owns it).
 */
export function registerDrift(program: Command): void {
  withPlanInputOptions(
    program
      .command('drift')
      .description(
        'report live changes made outside Git (drift) apart from policy not yet applied (pending), with licence use (exit 0 clean, 2 drift or unresolved people, 1 error)',
      ),
  )
    .addOption(formatOption(['text', 'markdown', 'json'], 'text'))
    .action(async (options: PlanInputs & EnvironmentOptions & { format: 'text' | 'markdown' | 'json' }) => {
      const report = await runDrift(options, planContext(options));
      if (options.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (options.format === 'markdown') process.stdout.write(renderDriftMarkdown(report));
      else process.stdout.write(renderDriftText(report));
      process.exitCode = report.drift.length > 0 || report.unresolved.length > 0 ? 2 : 0;
    });
}
