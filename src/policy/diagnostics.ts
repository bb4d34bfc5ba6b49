import { AccordError } from '../errors.js';
/**
 * Problems found while loading and validating policy, as values. They carry everything a person
 * needs to fix the problem (file, line, column, JSON pointer, message, suggestion); turning them
 * into text is the CLI's job.
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. `schema.unknown-key` or `ref.unknown-org`. */
  code: string;
  /** Path of the policy file relative to the policies folder's parent (as the user typed it). */
  file: string;
  /** 1-based line and column of the offending value (1:1 when the position is unknown). */
  line: number;
  column: number;
  /** RFC 6901 JSON pointer inside the document. */
  pointer: string;
  message: string;
  /** What to do about it, e.g. `did you mean "okta"?`. */
  hint?: string;
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === 'error');

/** Sort by file, then position, then pointer, so output is stable whatever order checks ran in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.pointer.localeCompare(b.pointer) ||
      a.message.localeCompare(b.message),
  );
}

/**
 * A policy that did not validate, with its diagnostics: the CLI prints them, then the message.
 * Thrown by every stage that needs a valid policy, so they all answer a broken one the same way.
 */
export class InvalidPolicyError extends AccordError {
  constructor(
    readonly diagnostics: readonly Diagnostic[],
    message: string,
    options: ConstructorParameters<typeof AccordError>[1] = {},
  ) {
    super(message, options);
  }
}
