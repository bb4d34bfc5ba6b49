import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { formatOption, withPlanInputOptions } from '../options.js';

/**
 * `accord drift`: a refresh-only comparison (nothing is written). Exit 0 clean, 2 drift found or
 * a person left unresolved (a blocking finding), 3 only lifecycle or pending work (apply owns
 * it, so a schedule can tell it from tampering), 1 error.
 */
export function registerDrift(program: Command): void {
  withPlanInputOptions(
    program
      .command('drift')
      .description(
        'report live changes made outside Git (drift) apart from what follows from the directories (lifecycle) and policy not yet applied (pending), with licences and orphans (exit 0 clean, 2 drift or unresolved people, 3 lifecycle or pending only, 1 error)',
      ),
  )
    .addOption(formatOption(['text', 'markdown', 'json'], 'text'))
    .action(lazyAction(() => import('../actions/drift.js')));
}
