/**
 * An error caused by the user's input or environment (bad flag, missing credential, unreachable
 * endpoint), as opposed to a bug. The CLI prints its message and hint on one line each, with no
 * stack trace, and exits with `exitCode`. Messages must never contain secret values.
 */
export class AccordError extends Error {
  constructor(
    message: string,
    readonly options: { code?: string; hint?: string; exitCode?: number } = {},
  ) {
    super(message);
    this.name = 'AccordError';
  }

  get code(): string {
    return this.options.code ?? 'accord.error';
  }

  get hint(): string | undefined {
    return this.options.hint;
  }

  get exitCode(): number {
    return this.options.exitCode ?? 1;
  }
}

export const isAccordError = (error: unknown): error is AccordError => error instanceof AccordError;
