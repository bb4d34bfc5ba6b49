import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import {
  formatOption,
  refreshOption,
  withEnvironmentOptions,
  withPolicyOptions,
  withWriteOptions,
} from '../options.js';

/**
 * `accord reconcile`: the scheduled run between merges (UC-05, UC-26). The policy's
 * `settings.reconcile` says whether it only reports or also heals. No `--target`, no saved plan,
 * no `--allow-large-change`: an unattended run applies all of what applied policy calls for, within
 * the guard rails, or nothing.
 */
export function registerReconcile(program: Command): void {
  withWriteOptions(
    withEnvironmentOptions(
      withPolicyOptions(
        program
          .command('reconcile')
          .description(
            'the scheduled run: report drift, lifecycle and pending work, and with the policy\'s settings.reconcile "self-heal" apply what applied policy and the directories call for (exit 0 clean or healed, 2 drift or unresolved people, 3 lifecycle or pending only, 4 blocked: nothing applied, 1 error or failure)',
          ),
      )
        .option('--state <file>', 'state file (default: state/<environment>.state.json)')
        .addOption(refreshOption()),
      'reconcile a freshly seeded in-process sandbox (emulated Okta, OneLogin, Salesforce) instead of real tenants',
    ),
  )
    .option('--report-only', 'only report, even where the policy says self-heal')
    .addOption(formatOption(['text', 'markdown', 'json'], 'text'))
    .addHelpText(
      'after',
      `
Self-heal applies only when the policy is the one the last apply ran (a merged change is the merge's
reviewed plan to apply), never overrides a guard rail, and verifies afterwards that a new plan is empty.

Examples:
  accord reconcile                        # what settings.reconcile says
  accord reconcile --report-only -f json  # a report, whatever the policy says`,
    )
    .action(lazyAction(() => import('../actions/reconcile.js')));
}
