import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { durationOption, integerOption, withPlanInputOptions } from '../options.js';

/**
 * `accord apply [PLANFILE]`: applies a saved plan exactly as reviewed (stale changes skipped), or
 * plans, shows and asks first. State and the audit log are written after every batch, under a
 * lock, with a journal of in-flight batches so an interrupted run is detected next time.
 */
export function registerApply(program: Command): void {
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
    )
    .addOption(
      // More than 64 batches in flight per platform only trips the platforms' rate limits.
      integerOption('--parallelism <n>', 'batches in flight per platform', { min: 1, max: 64 }).default(4),
    )
    .addOption(
      durationOption(
        '--lock-timeout <duration>',
        'wait this long for a state lock another run holds (e.g. 30s, 5m)',
      ).default(0, '0s'),
    )
    .option('--audit <file>', 'audit log (default: beside the state file, <name>.audit.jsonl)')
    .option(
      '--verify',
      'plan again after applying and report whether live state converged (default with --sandbox)',
    )
    .action(lazyAction(() => import('../actions/apply.js')));
}
