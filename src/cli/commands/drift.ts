import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
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
    .action(lazyAction(() => import('../actions/drift.js')));
}
