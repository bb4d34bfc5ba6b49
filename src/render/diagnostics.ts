import type { ChalkInstance } from 'chalk';
import type { Diagnostic } from '../policy/diagnostics.js';

/**
 * One line per diagnostic, in the `file:line:col` form editors and CI annotations understand:
 *   policies/access.json:12:7 error /access/0/grants/prd: unknown Salesforce org "prd" (did you mean "prod"?)
 */
function renderDiagnostic(d: Diagnostic, c: ChalkInstance): string {
  const level = d.severity === 'error' ? c.red('error') : c.yellow('warning');
  const pointer = d.pointer ? `${c.dim(d.pointer)}: ` : '';
  const hint = d.hint ? c.dim(` (${d.hint})`) : '';
  return `${c.bold(`${d.file}:${d.line}:${d.column}`)} ${level} ${pointer}${d.message}${hint}`;
}

export const renderDiagnostics = (diagnostics: readonly Diagnostic[], c: ChalkInstance): string =>
  diagnostics.map((d) => renderDiagnostic(d, c)).join('\n');
