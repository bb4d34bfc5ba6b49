import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { formatOption, refreshOption, withEnvironmentOptions, withPolicyOptions } from '../options.js';

/**
 * `accord report mfa` (UC-17): who has no active MFA factor, since when, and whether the policy's
 * grace is over. A subcommand of `accord report` (commands/report.ts), which must be registered first.
 */
export function registerReportMfa(program: Command): void {
  const report =
    program.commands.find((c) => c.name() === 'report') ??
    program.command('report').description('reports for reviewers and auditors');
  withEnvironmentOptions(
    withPolicyOptions(
      report
        .command('mfa')
        .description(
          'MFA compliance: people whose home account has no active MFA factor, since when, when their grace ends, and which mfa rules hold for them (reads only; exit 0)',
        ),
    )
      .option('--state <file>', 'state file (default: state/<environment>.state.json)')
      .addOption(refreshOption()),
    'report on a freshly seeded in-process sandbox (emulated Okta, OneLogin, Salesforce) instead of real tenants',
  )
    .addOption(formatOption(['text', 'json'], 'text'))
    .option('-o, --out <file>', 'write the report to FILE instead of stdout')
    .action(lazyAction(() => import('../actions/report-mfa.js')));
}
