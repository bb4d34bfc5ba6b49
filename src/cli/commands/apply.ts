import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { withPlanInputOptions, withWriteOptions } from '../options.js';

/**
 * `accord apply [PLANFILE]`: applies a saved plan exactly as reviewed (stale changes skipped), or
 * plans, shows and asks first. State and the audit log are written after every batch, under a
 * lock, with a journal of in-flight batches so an interrupted run is detected next time.
 */
export function registerApply(program: Command): void {
  withWriteOptions(
    withPlanInputOptions(
      program
        .command('apply')
        .argument(
          '[planfile]',
          'a plan saved by `accord plan --out`; without it, plan now and ask before applying',
        )
        .description(
          'apply a plan through the providers (exit 0 all applied, 1 if anything failed or was refused)',
        ),
    )
      .option('--auto-approve', 'apply without asking (required when stdin is not a terminal)')
      .option(
        '--allow-large-change',
        'apply a plan that guard rails blocked (deprovision cap, separation of duties)',
      ),
  )
    .option(
      '--verify',
      'plan again after applying and report whether live state converged (default with --sandbox)',
    )
    .action(lazyAction(() => import('../actions/apply.js')));
}
