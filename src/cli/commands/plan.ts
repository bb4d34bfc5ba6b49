import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { formatOption, withPlanInputOptions } from '../options.js';

export function registerPlan(program: Command): void {
  withPlanInputOptions(
    program
      .command('plan')
      .description(
        'read live state, compile the policy and show the ordered change set (exit 0, 1 error, 4 blocked by a guard rail; with --detailed-exitcode 2 when there are changes)',
      ),
  )
    .addOption(formatOption(['text', 'markdown', 'json'], 'text'))
    .option(
      '-o, --out <file>',
      'save the plan (JSON, with policy digest and snapshot fingerprints) for `accord apply` and `accord show`',
    )
    .option(
      '--detailed-exitcode',
      'exit 0 when there are no changes, 2 when there are changes, 1 on error (4 blocked, always)',
    )
    .action(lazyAction(() => import('../actions/plan.js')));
}
