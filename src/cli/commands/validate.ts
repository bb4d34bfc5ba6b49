import type { Command } from 'commander';
import { hasErrors } from '../../policy/diagnostics.js';
import { summarize } from '../../policy/policy.js';
import { loadPolicy } from '../../policy/validate.js';
import { palette } from '../../render/colors.js';
import { renderDiagnostics } from '../../render/diagnostics.js';
import { formatOption, withPolicyOptions, type PolicyOptions } from '../options.js';

interface ValidateOptions extends PolicyOptions {
  format: 'text' | 'json';
}

export function registerValidate(program: Command): void {
  withPolicyOptions(
    program
      .command('validate')
      .description('check policy files against the schemas and against each other (exit 0 valid, 1 invalid)'),
  )
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (options: ValidateOptions) => {
      const result = await loadPolicy(options.policies, { noCode: !options.code });
      const summary = result.policy ? summarize(result.policy) : undefined;
      if (options.format === 'json') {
        const body = {
          formatVersion: 1,
          valid: !!result.policy,
          summary: summary ?? null,
          diagnostics: result.diagnostics,
        };
        process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      } else {
        const c = palette();
        if (result.diagnostics.length > 0)
          process.stdout.write(`${renderDiagnostics(result.diagnostics, c)}\n`);
        if (summary) {
          const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
          process.stdout.write(
            `${c.green('Policy is valid:')} ${n(summary.documents, 'document')}, ${n(summary.rules, 'access rule')}, ` +
              `${n(summary.orgs, 'Salesforce org')}, ${n(summary.mirrors, 'mirror')}, ${n(summary.managedGroups, 'managed group')}, ` +
              `${n(summary.exceptions, 'exception')}\n`,
          );
        } else {
          const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
          process.stdout.write(`${c.red('Policy is invalid:')} ${errors} error${errors === 1 ? '' : 's'}\n`);
        }
      }
      process.exitCode = hasErrors(result.diagnostics) ? 1 : 0;
    });
}
