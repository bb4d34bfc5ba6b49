import { AccordError } from '../errors.js';
import type { State } from '../model/state.js';
import { canonicalJson } from '../model/canonical-json.js';
import { redact } from '../model/redact.js';
import { exclusive } from './exclusive.js';
import { replaceDurably } from './fsync.js';

/**
 * Key names that would mean a credential is about to land in a file that is committed to git.
 * Matched per word of a camelCase or snake_case identifier, so `accessToken` and `client_secret`
 * are refused while a person's login such as `secretary@acme.test` (a key in `links`) is not.
 */
const SECRET_WORDS = new Set(['token', 'tokens', 'secret', 'secrets', 'password', 'passwd', 'passphrase']);
const SECRET_PAIRS = ['private key', 'api key', 'access key', 'client secret'];

export function isSecretLikeKey(key: string): boolean {
  if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return false;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_$-]+/)
    .map((word) => word.toLowerCase())
    .filter(Boolean);
  if (words.some((word) => SECRET_WORDS.has(word))) return true;
  const joined = ` ${words.join(' ')} `;
  return (
    SECRET_PAIRS.some((pair) => joined.includes(` ${pair} `)) || /privatekey|apikey/.test(key.toLowerCase())
  );
}

/** Throws if any object key anywhere in `value` is named like a credential. */
export function assertNoSecrets(value: unknown, what: string, path = '$'): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertNoSecrets(item, what, `${path}[${i}]`));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (isSecretLikeKey(key))
      throw new AccordError(`refusing to write ${what}: ${path}.${key} looks like a secret`, {
        code: 'state.secret',
        hint: 'state is committed to git; credentials come from the environment only and are never stored',
      });
    assertNoSecrets(item, what, `${path}.${key}`);
  }
}

/**
 * The bytes of a state file: 2-space JSON, keys sorted at every depth, arrays in their order,
 * one trailing newline. The same state always gives the same bytes, so a commit of state shows
 * only what an apply changed.
 */
export function serializeState(state: State): string {
  assertNoSecrets(state, 'state');
  const text = `${canonicalJson(state, 2)}\n`;
  // State names accounts by login and holds hashes: a secret value in it is a bug, refused, not hidden.
  if (redact(text) !== text)
    throw new AccordError('refusing to write state: it would contain a secret value', {
      code: 'state.secret',
      hint: 'state is committed to git; please report this',
    });
  return text;
}

/**
 * Writes the state file atomically: a reader (or a crash) sees the old file or the new one, never a
 * mix. Temp file beside the target (same filesystem, so rename is atomic), fsync, rename, fsync
 * the directory so the rename itself survives a power cut.
 */
export async function writeState(path: string, state: State): Promise<void> {
  const text = serializeState(state);
  // Queued per path: two batches finishing together would otherwise share the `.tmp-<pid>` file
  // and one could rename the other's half-written bytes into place.
  await exclusive(path, () => replaceFile(path, text));
}

async function replaceFile(path: string, text: string): Promise<void> {
  try {
    await replaceDurably(path, text);
  } catch (error) {
    throw new AccordError(`cannot write state file ${path}: ${(error as Error).message}`, {
      code: 'state.write',
      hint: 'the previous state file is unchanged; fix the cause and run again',
    });
  }
}
