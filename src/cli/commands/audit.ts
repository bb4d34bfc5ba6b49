import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { withPolicyOptions } from '../options.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('work with the audit log of applied changes');
  withPolicyOptions(
    audit
      .command('verify')
      .description(
        'check the audit log: its hash chain, the head the state file recorded, and with ACCORD_AUDIT_KEY every mac (exit 0 intact, 1 edited, removed, reordered or rewritten)',
      ),
  )
    .option(
      '--state <file>',
      'state file that records the log head (default: state/<environment>.state.json)',
    )
    .option('--audit <file>', 'audit log (default: beside the state file, <name>.audit.jsonl)')
    .action(lazyAction(() => import('../actions/audit-verify.js')));
}
