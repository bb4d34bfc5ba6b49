import { Option, type Command } from 'commander';
import { AccordError } from '../../errors.js';
import { lazyAction } from '../lazy-action.js';
import { formatOption, withEnvironmentOptions } from '../options.js';

/** A share from 0 to 1 (`0.9`, or `90%`), checked as it is parsed. */
const share = (flags: string) => (value: string) => {
  const m = /^(\d+(?:\.\d+)?)(%)?$/.exec(value.trim());
  const n = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(n >= 0 && n <= 1))
    throw new AccordError(`option '${flags}' takes a share from 0 to 1 (or 0% to 100%), got '${value}'`, {
      code: 'cli.invalid-share',
    });
  return n;
};

export function registerImport(program: Command): void {
  withEnvironmentOptions(
    program
      .command('import')
      .description(
        "read every platform and write a first policy that reproduces today's access: rules mined from groups and roles, mirrors where an Okta group and a OneLogin role hold the same people, the rest as individual grants; over a folder that holds policy already, only what it does not explain (new files import-<date>-*.json or .ts); prints what a plan on it would change (exit 0 written, 1 error)",
      ),
    'import from a freshly seeded in-process sandbox (emulated Okta, OneLogin, Salesforce) instead of real tenants',
  )
    .option('--out <dir>', 'folder to write the policy files into', 'policies')
    .addOption(formatOption(['text', 'json'], 'text'))
    .addOption(
      new Option(
        '--policy-format <format>',
        'how the policy files are written: JSON documents, or TypeScript modules (definePolicy)',
      )
        .choices(['json', 'ts'])
        .default('json'),
    )
    .addOption(
      new Option(
        '--min-precision <share>',
        "least share of a group's members that must hold what its rule grants",
      )
        .argParser(share('--min-precision <share>'))
        .default(0.9),
    )
    .addOption(
      new Option(
        '--min-coverage <share>',
        'least share of the (still unexplained) holders a rule must explain',
      )
        .argParser(share('--min-coverage <share>'))
        .default(0.5),
    )
    .addOption(
      new Option(
        '--min-mirror-agreement <share>',
        'least share of the people in an Okta group or its OneLogin role who are in both for the pair to be reported as a mirror; only exact pairs are written (mirrors.json)',
      )
        .argParser(share('--min-mirror-agreement <share>'))
        .default(0.95),
    )
    .option(
      '--environment <name>',
      'settings.environment of the imported policy (names its state file)',
      'default',
    )
    .option(
      '--hold-leavers',
      "protect leavers' still-active Salesforce users (held-leavers.json: guardrails.protectedAccounts) so the first plan offboards nobody; off by default, since it keeps people who left in Salesforce until the entries are deleted",
    )
    .option(
      '--force',
      'import afresh even when the folder holds policy, overwriting platforms, identity, access, exceptions, guardrails and mirrors files of the same names',
    )
    .action(lazyAction(() => import('../actions/import.js')));
}
