import { hasErrors } from '../../policy/diagnostics.js';
import { summarize } from '../../policy/policy.js';
import { loadPolicy } from '../../policy/validate.js';
import { palette } from '../../render/colors.js';
import { renderDiagnostics } from '../../render/diagnostics.js';
import type { PolicyOptions } from '../options.js';

interface ValidateOptions extends PolicyOptions {
  format: 'text' | 'json';
}

/** `accord validate` (declared in commands/validate.ts). */
export default async function validate(options: ValidateOptions): Promise<void> {
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
    if (result.diagnostics.length > 0) process.stdout.write(`${renderDiagnostics(result.diagnostics, c)}\n`);
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
}
