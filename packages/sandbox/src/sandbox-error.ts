/**
 * A mistake in how the sandbox was asked for (a port in use, a bad --data file), as opposed to a
 * bug: whoever starts the sandbox prints the message and the hint, without a stack trace.
 */
export class SandboxError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}
