import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted recursively (UTF-16 code-unit order) and arrays kept in order.
 * JSON.stringify cannot do this on its own: it always puts integer-like keys ("42") first, so a
 * login or an org key that happens to be numeric would make the output depend on the engine's
 * key-order rules rather than on the data. Both the state file (small git diffs) and the audit
 * hash chain (a hash must not change when nothing but key order did) need one spelling per value.
 */
export function canonicalJson(value: unknown, indent: 0 | 2 = 0): string {
  const out = write(value, indent, '', []);
  if (out === undefined) throw new TypeError('canonicalJson: the value is not representable as JSON');
  return out;
}

// Where a value sits, kept as a stack and spelled out only for an error: plans hash every change,
// and building a path string for each of their values was most of the cost.
type Path = (string | number)[];
const pathText = (path: Path) => `$${path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;

function write(value: unknown, indent: number, pad: string, path: Path): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      // JSON.stringify would quietly turn these into null, which would not round-trip.
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${pathText(path)} is ${value}`);
      return JSON.stringify(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new TypeError(`canonicalJson: ${pathText(path)} is a bigint`);
  }
  const inner = indent ? pad + ' '.repeat(indent) : '';
  const open = indent ? `\n${inner}` : '';
  const close = indent ? `\n${pad}` : '';
  const sep = indent ? `,\n${inner}` : ',';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      items.push(write(value[i], indent, inner, path) ?? 'null');
      path.pop();
    }
    return `[${open}${items.join(sep)}${close}]`;
  }
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return write(withJson.toJSON(), indent, pad, path);
  const entries: string[] = [];
  for (const key of Object.keys(value).sort()) {
    path.push(key);
    const item = write((value as Record<string, unknown>)[key], indent, inner, path);
    path.pop();
    if (item !== undefined) entries.push(`${JSON.stringify(key)}:${indent ? ' ' : ''}${item}`);
  }
  if (entries.length === 0) return '{}';
  return `{${open}${entries.join(sep)}${close}}`;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** sha256 of a value's canonical JSON: the one digest of a policy, a plan or a state. */
export const digestOf = (value: unknown): string => sha256(canonicalJson(value));
