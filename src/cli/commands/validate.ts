import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { formatOption, withPolicyOptions } from '../options.js';

export function registerValidate(program: Command): void {
  withPolicyOptions(
    program
      .command('validate')
      .description('check policy files against the schemas and against each other (exit 0 valid, 1 invalid)'),
  )
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(lazyAction(() => import('../actions/validate.js')));
}
