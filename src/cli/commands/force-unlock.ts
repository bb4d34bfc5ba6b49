import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { withPolicyOptions } from '../options.js';

export function registerForceUnlock(program: Command): void {
  withPolicyOptions(
    program
      .command('force-unlock')
      .description('remove a state lock left behind by a run that is gone (exit 0 removed, 1 no lock)'),
  )
    .option('--state <file>', 'state file (default: state/<environment>.state.json)')
    .action(lazyAction(() => import('../actions/force-unlock.js')));
}
