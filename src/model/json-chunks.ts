/**
 * `JSON.stringify(value)`, byte for byte, as a sequence of strings of about `chunkChars` each, so
 * a large value (a snapshot cache at 100k people is about 100 MB of text) is hashed and written
 * without ever being one string. Objects and arrays are walked down to `depth`; below it each
 * value is spelled by `JSON.stringify` itself, which is several times faster than any walk in
 * JavaScript and is what a streaming stringifier from npm would replace, token by token.
 */
export function* jsonChunks(
  value: unknown,
  options: { depth?: number; chunkChars?: number } = {},
): Generator<string> {
  const depth = options.depth ?? 4;
  const chunkChars = options.chunkChars ?? 1 << 16;
  let pending: string[] = [];
  let size = 0;
  const out = (piece: string) => {
    pending.push(piece);
    size += piece.length;
  };
  const flush = function* () {
    if (size < chunkChars) return;
    yield pending.join('');
    pending = [];
    size = 0;
  };

  // As JSON.stringify walks: toJSON first, then the value; undefined, functions and symbols are
  // left out of objects and are null in arrays.
  const resolve = (key: string, v: unknown): unknown =>
    typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function'
      ? (v as { toJSON: (key: string) => unknown }).toJSON(key)
      : v;
  const absent = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

  function* walk(v: unknown, level: number): Generator<string> {
    if (typeof v !== 'object' || v === null || level >= depth) {
      out(JSON.stringify(v));
      yield* flush();
      return;
    }
    if (Array.isArray(v)) {
      out('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out(',');
        const item = resolve(String(i), v[i]);
        if (absent(item)) out('null');
        else yield* walk(item, level + 1);
      }
      out(']');
      return;
    }
    out('{');
    let first = true;
    for (const k of Object.keys(v)) {
      const item = resolve(k, (v as Record<string, unknown>)[k]);
      if (absent(item)) continue;
      out(`${first ? '' : ','}${JSON.stringify(k)}:`);
      first = false;
      yield* walk(item, level + 1);
    }
    out('}');
  }

  const top = resolve('', value);
  if (absent(top)) return;
  yield* walk(top, 0);
  if (size > 0) yield pending.join('');
}
