import type { Diagnostic } from '../diagnostics.js';
import type { Position } from '../locate.js';

/** An error about a file as a whole or a place in its text (no validated document to point into). */
export const fileDiagnostic = (
  file: string,
  code: string,
  message: string,
  hint?: string,
  at: Position = { line: 1, column: 1 },
  pointer = '',
): Diagnostic => ({
  severity: 'error',
  code,
  file,
  line: at.line,
  column: at.column,
  pointer,
  message,
  ...(hint ? { hint } : {}),
});
