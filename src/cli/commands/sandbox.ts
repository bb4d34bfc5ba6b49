import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { sandboxDefaults } from '../load-sandbox.js';
import {
  DEFAULT_SANDBOX_PORT,
  integerOption,
  PEOPLE_RANGE,
  SANDBOX_TENANTS,
  SEED_RANGE,
} from '../options.js';

/**
 * `accord sandbox`: serves the emulated Okta, OneLogin and Salesforce APIs on loopback until it
 * is stopped (see actions/sandbox.ts).
 */
export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description(
      'serve emulated Okta, OneLogin and Salesforce APIs, seeded with a demo company, on 127.0.0.1',
    )
    .addOption(
      integerOption(
        '--port <n>',
        `first of ${SANDBOX_TENANTS} consecutive ports (okta, onelogin, salesforce:prod, salesforce:emea); 0 picks free ports`,
        // The last tenant's port must exist too.
        { min: 0, max: 65535 - (SANDBOX_TENANTS - 1) },
      ).default(DEFAULT_SANDBOX_PORT),
    )
    .addOption(
      integerOption('--people <n>', 'about how many people the demo company has', PEOPLE_RANGE).default(
        sandboxDefaults?.DEFAULT_PEOPLE,
      ),
    )
    .addOption(
      integerOption(
        '--seed <n>',
        'seed of the demo company: the same seed gives the same tenants',
        SEED_RANGE,
      ).default(sandboxDefaults?.DEFAULT_SEED),
    )
    .option(
      '--data <file>',
      'keep the tenants in FILE across restarts: loaded from it when it exists (then --people and --seed are ignored), saved after writes and on exit',
    )
    .addHelpText(
      'after',
      `
Each tenant listens on its own port on 127.0.0.1 only, with sandbox-only credentials.
stdout gets one shell-quoted "export NAME=value" line per environment variable that points accord,
or any client (curl, the Okta SDK, jsforce), at the sandbox; the summary and request counters
go to stderr. It runs until SIGINT (Ctrl-C) or SIGTERM, then stops cleanly (exit 0), saving --data.

Examples:
  accord sandbox > sandbox.env          # in another shell: . ./sandbox.env && accord plan
  accord sandbox --port 0 --people 5000 --seed 7
  accord sandbox --data .sandbox.json   # keep changes across restarts`,
    )
    .action(lazyAction(() => import('../actions/sandbox.js')));
}
