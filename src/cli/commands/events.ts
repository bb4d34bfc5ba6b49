import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { formatOption, integerOption, withEnvironmentOptions, withPolicyOptions } from '../options.js';

/**
 * `accord events pull` (UC-18 login audit, UC-19 security events): exit 0 when every event was
 * written and every alert delivered, 3 when an alert's webhook failed (the events are in the sink
 * and the alert's backlog goes out, in order, on the next pull), 1 on an error.
 */
export function registerEvents(program: Command): void {
  const events = program.command('events').description('login audit and security events (UC-18, UC-19)');
  withEnvironmentOptions(
    withPolicyOptions(
      events
        .command('pull')
        .description(
          'read the Okta System Log and OneLogin events since the last pull, write them once each to a JSON lines sink in one schema, and send what the alerts match to their webhooks (exit 0 done, 3 an alert webhook failed: its backlog waits for the next pull, 1 error)',
        ),
    ).option(
      '--state <file>',
      'state file; the cursor lives beside it in <name>.events/ (default: state/<environment>.state.json)',
    ),
    'pull from a freshly seeded in-process sandbox (emulated Okta, OneLogin) instead of real tenants; with --sandbox-data the tenants and their logs persist',
  )
    .option(
      '-o, --out <file>',
      'the JSON lines sink (default: events.sinks.jsonl.path, else <state name>.events/events.jsonl)',
    )
    .addOption(
      integerOption('--page-size <n>', 'events per request (default and cap: Okta 1000, OneLogin 50)', {
        min: 1,
        max: 1000,
      }),
    )
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(lazyAction(() => import('../actions/events-pull.js')));
}
