import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { formatOption, withEnvironmentOptions, withPolicyOptions } from '../options.js';

export function registerDiff(program: Command): void {
  withEnvironmentOptions(
    withPolicyOptions(
      program
        .command('diff')
        .description(
          'compare the policy at two git refs (no checkout): rules, exceptions, groups and guard rails added, changed and removed, and who gains or loses which entitlement (exit 0 shown, 1 error)',
        ),
    )
      .requiredOption('--base <ref>', 'the ref to compare from, e.g. origin/main')
      .option('--head <ref>', 'the ref to compare to', 'HEAD')
      .option('--state <file>', 'state file (default: state/<environment>.state.json of the head policy)'),
    'compute the impact against a freshly seeded in-process sandbox instead of real tenants',
  )
    .option('--no-impact', 'only the policy diff: read no platform (needs no credentials)')
    .addOption(formatOption(['text', 'markdown', 'json'], 'text'))
    .action(lazyAction(() => import('../actions/diff.js')));
}
