import { redact, registerSecrets, secretsInEnv } from '../model/redact.js';

/**
 * The terminal end of the one redaction point: whatever a command writes to stdout or stderr
 * (plans in every format, notes, progress, errors) is redacted on its way out, so no renderer has
 * to remember to. The environment's credential values are registered first.
 */

const WRAPPED = Symbol.for('accord.redacted');

type Writable = { write: (...args: never[]) => boolean } & { [WRAPPED]?: true };

export function redactOutput(env: NodeJS.ProcessEnv = process.env): void {
  registerSecrets(secretsInEnv(env));
  for (const stream of [process.stdout, process.stderr] as unknown as Writable[]) {
    if (stream[WRAPPED]) continue;
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const redacting = (chunk: unknown, ...rest: unknown[]) =>
      // eslint-disable-next-line no-restricted-syntax -- forwards stream.write's (encoding, callback) unchanged
      write(typeof chunk === 'string' ? redact(chunk) : chunk, ...rest);
    Object.assign(stream, { write: redacting, [WRAPPED]: true });
  }
}
