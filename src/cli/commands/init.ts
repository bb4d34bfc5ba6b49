import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .argument('[dir]', 'where to create the access repository', '.')
    .description(
      'scaffold a new access repository: starter policies/, state/, GitHub workflows (plan on pull request, apply on merge, scheduled drift) and a README (exit 0 created, 1 refused)',
    )
    .option('--force', 'write into a non-empty directory, overwriting files of the same name')
    .action(lazyAction(() => import('../actions/init.js')));
}
