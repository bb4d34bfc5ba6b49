import { redact, registerSecrets, secretsInEnv } from '../model/redact.js';

/**
 * The terminal end of the one redaction point: whatever a command writes to stdout or stderr
 * (plans in every format, notes, progress, errors) is redacted on its way out, so no renderer has
 * to remember to. The environment's credential values are registered first.
 */

const WRAPPED = Symbol.for('accord.redacted');
const UNREDACTED = Symbol.for('accord.unredacted');

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;
type Writable = { write: (...args: never[]) => boolean } & { [WRAPPED]?: true; [UNREDACTED]?: Write };

export function redactOutput(env: NodeJS.ProcessEnv = process.env): void {
  registerSecrets(secretsInEnv(env));
  for (const stream of [process.stdout, process.stderr] as unknown as Writable[]) {
    if (stream[WRAPPED]) continue;
    const write = stream.write.bind(stream) as Write;
    const redacting = (chunk: unknown, ...rest: unknown[]) =>
      // eslint-disable-next-line no-restricted-syntax -- forwards stream.write's (encoding, callback) unchanged
      write(typeof chunk === 'string' ? redact(chunk) : chunk, ...rest);
    Object.assign(stream, { write: redacting, [WRAPPED]: true, [UNREDACTED]: write });
  }
}

/**
 * Text whose every credential is meant to be read: only `accord sandbox`'s export lines, which
 * carry the sandbox's own made-up credentials to the shell that sources them. A Salesforce
 * sandbox token is shaped like a real one (the org id, `!`, the token), and a second sandbox
 * started from a shell that sourced the first has its values registered as secrets: redacted,
 * the lines would point nothing at the sandbox.
 */
export function writeUnredacted(stream: NodeJS.WriteStream, text: string): void {
  const raw = (stream as unknown as Writable)[UNREDACTED];
  if (raw) raw(text);
  else stream.write(text);
}
