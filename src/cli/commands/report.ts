import { Option, type Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { formatOption, withEnvironmentOptions, withPolicyOptions } from '../options.js';

/** `accord report access` (UC-21): who has what on every platform, and what in the policy grants it. */
export function registerReport(program: Command): void {
  const report = program.command('report').description('reports for reviewers and auditors');
  withEnvironmentOptions(
    withPolicyOptions(
      report
        .command('access')
        .description(
          'access review: who has what in Okta, OneLogin and every Salesforce org, which rule, exception, managed group, mirror or link grants it (or that nothing does: flagged), and since when (reads only; exit 0)',
        ),
    ).option('--state <file>', 'state file (default: state/<environment>.state.json)'),
    'report on a freshly seeded in-process sandbox (emulated Okta, OneLogin, Salesforce) instead of real tenants',
  )
    .option(
      '--audit <file>',
      'audit log that says since when (default: beside the state file, <name>.audit.jsonl)',
    )
    .addOption(formatOption(['csv', 'json', 'html'], 'csv'))
    .option('-o, --out <file>', 'write the report to FILE instead of stdout')
    .addOption(
      new Option('--by <view>', 'order and group by').choices(['person', 'entitlement']).default('person'),
    )
    .action(lazyAction(() => import('../actions/report.js')));
}
