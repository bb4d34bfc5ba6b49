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
        "read every platform and write a first policy that reproduces today's access: rules mined from groups and roles, the rest as individual grants; prints what a plan on it would change (exit 0 written, 1 error)",
      ),
    'import from a freshly seeded in-process sandbox (emulated Okta, OneLogin, Salesforce) instead of real tenants',
  )
    .option('--out <dir>', 'folder to write the policy files into', 'policies')
    .addOption(formatOption(['text', 'json'], 'text'))
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
    .option(
      '--environment <name>',
      'settings.environment of the imported policy (names its state file)',
      'default',
    )
    .option('--force', 'overwrite policy files of the same names in the folder')
    .action(lazyAction(() => import('../actions/import.js')));
}
