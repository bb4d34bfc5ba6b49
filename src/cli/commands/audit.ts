import type { Command } from 'commander';
import { palette } from '../../render/colors.js';
import { defaultAuditPath, verifyAudit } from '../../state/audit.js';
import { environmentFromPolicy } from '../../engine/environment-of-policy.js';
import { withPolicyOptions, type PolicyOptions } from '../options.js';

interface AuditVerifyOptions extends PolicyOptions {
  audit?: string;
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('work with the audit log of applied changes');
  withPolicyOptions(
    audit
      .command('verify')
      .description(
        'check the hash chain of the audit log (exit 0 intact, 1 edited, removed or reordered lines)',
      ),
  )
    .option('--audit <file>', 'audit log (default: state/<environment>.audit.jsonl)')
    .action(async (options: AuditVerifyOptions) => {
      const path =
        options.audit ??
        defaultAuditPath(await environmentFromPolicy(options.policies, options.code, '--audit'));
      const result = await verifyAudit(path);
      const c = palette();
      if (result.ok) {
        process.stdout.write(
          `${c.green('audit log ok:')} ${result.entries} ${result.entries === 1 ? 'entry' : 'entries'}\n`,
        );
        process.exitCode = 0;
      } else {
        process.stdout.write(`${c.red(`audit log broken at line ${result.line}:`)} ${result.problem}\n`);
        process.exitCode = 1;
      }
    });
}
