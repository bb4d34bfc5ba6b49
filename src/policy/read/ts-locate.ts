import { positionAt, type Locator, type Position } from '../locate.js';
import { fromPointer } from '../pointer.js';

/**
 * Locator for TypeScript policies. TS files have no JSON tree, and the value they export is
 * computed, so this reads the *shape* of the exported literal from the source: objects, arrays,
 * keys and where each starts, through `definePolicy(...)`, parentheses, `as`/`satisfies` and a
 * `const` the export names. Anything else (a call, a variable, a spread) is opaque. A pointer is
 * followed as far as the literal goes; past that, its remaining keys are searched as text inside
 * the last literal found, so `/access/1/when` lands on the second rule's own `when:`, not on the
 * first `when:` in the file.
 */
export function tsLocator(text: string): Locator {
  const tokens = tokenize(text);
  const root = exportedLiteral(tokens, text);
  const find = (pointer: string, onKey: boolean): Position => {
    const at = root ? follow(root, fromPointer(pointer), text) : undefined;
    return positionAt(
      text,
      at ? (onKey ? at.key : at.value) : (fallback(text, pointer, 0, text.length) ?? 0),
    );
  };
  return { value: (p) => find(p, false), key: (p) => find(p, true) };
}

interface Token {
  kind: 'punct' | 'name' | 'string' | 'other';
  text: string;
  offset: number;
}

type Shape =
  | { kind: 'object'; offset: number; end: number; props: Map<string, { key: number; value: Shape }> }
  | { kind: 'array'; offset: number; end: number; items: Shape[]; known: number }
  | { kind: 'opaque'; offset: number; end: number };

const REGEX_AFTER = new Set([
  '(',
  ',',
  '=',
  ':',
  '[',
  '!',
  '&',
  '|',
  '?',
  '{',
  '}',
  ';',
  '+',
  '-',
  '*',
  '%',
  '<',
  '>',
  '~',
  '^',
  'return',
  'typeof',
  'case',
  'in',
  'of',
  'new',
  'throw',
]);

/** Tokens of TS source, with strings, templates, regexes and comments each one token (or none). */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (text.startsWith('//', i)) i = lineEnd(text, i);
    else if (text.startsWith('/*', i)) i = blockEnd(text, i);
    else if (c === '"' || c === "'") {
      const end = stringEnd(text, i);
      out.push({ kind: 'string', text: unquote(text.slice(i, end)), offset: i });
      i = end;
    } else if (c === '`') {
      out.push({ kind: 'other', text: '`', offset: i });
      i = templateEnd(text, i);
    } else if (c === '/' && REGEX_AFTER.has(out[out.length - 1]?.text ?? '(')) {
      out.push({ kind: 'other', text: '/re/', offset: i });
      i = regexEnd(text, i);
    } else if (/[\p{L}_$]/u.test(c)) {
      const m = /^[\p{L}\p{N}_$]+/u.exec(text.slice(i))!;
      out.push({ kind: 'name', text: m[0], offset: i });
      i += m[0].length;
    } else if (/\d/.test(c)) {
      const m = /^[\d._a-zA-Z]+/.exec(text.slice(i))!;
      out.push({ kind: 'other', text: m[0], offset: i });
      i += m[0].length;
    } else if (text.startsWith('...', i)) {
      out.push({ kind: 'punct', text: '...', offset: i });
      i += 3;
    } else {
      out.push({ kind: 'punct', text: c, offset: i });
      i++;
    }
  }
  return out;
}

const lineEnd = (text: string, i: number) => {
  const n = text.indexOf('\n', i);
  return n < 0 ? text.length : n;
};
const blockEnd = (text: string, i: number) => {
  const n = text.indexOf('*/', i + 2);
  return n < 0 ? text.length : n + 2;
};

function stringEnd(text: string, i: number): number {
  const quote = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === quote || text[j] === '\n') return j + 1;
  }
  return text.length;
}

function unquote(literal: string): string {
  const body = literal.slice(1, literal.endsWith(literal[0]!) && literal.length > 1 ? -1 : undefined);
  try {
    return JSON.parse(`"${body.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
  } catch {
    return body;
  }
}

/** End of a template literal, stepping over `${ ... }` code (which may hold more templates). */
function templateEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '`') return j + 1;
    else if (text.startsWith('${', j)) j = codeEnd(text, j + 2) - 1;
  }
  return text.length;
}

/** End of code up to its closing `}` (for template expressions). */
function codeEnd(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"' || c === "'") j = stringEnd(text, j) - 1;
    else if (c === '`') j = templateEnd(text, j) - 1;
    else if (text.startsWith('//', j)) j = lineEnd(text, j);
    else if (text.startsWith('/*', j)) j = blockEnd(text, j) - 1;
    else if (c === '{') depth++;
    else if (c === '}' && depth-- === 0) return j + 1;
  }
  return text.length;
}

function regexEnd(text: string, i: number): number {
  let inClass = false;
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '\n') return j;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      const flags = /^[a-z]*/.exec(text.slice(j + 1))![0];
      return j + 1 + flags.length;
    }
  }
  return text.length;
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const isPunct = (t: Token | undefined, p: string) => t?.kind === 'punct' && t.text === p;
const isCloser = (t: Token | undefined) => isPunct(t, ')') || isPunct(t, ']') || isPunct(t, '}');

/** Index after the expression at `i`: stops at `,` `;` or a closer at depth 0. */
function skipExpression(tokens: Token[], i: number): number {
  const stack: string[] = [];
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'punct') continue;
    if (OPEN[t.text]) stack.push(OPEN[t.text]!);
    else if (stack.length > 0 && t.text === stack[stack.length - 1]) stack.pop();
    else if (stack.length === 0 && [',', ';', ')', ']', '}'].includes(t.text)) return i;
  }
  return i;
}

const endOf = (tokens: Token[], i: number, text: string) => tokens[i]?.offset ?? text.length;

/** Reads the literal shape of the expression at token `i`; returns it and the index after it. */
function shapeAt(tokens: Token[], i: number, text: string): [Shape, number] {
  const t = tokens[i];
  const offset = t?.offset ?? text.length;
  if (isPunct(t, '{')) return objectAt(tokens, i, text);
  if (isPunct(t, '[')) return arrayAt(tokens, i, text);
  if (isPunct(t, '(')) {
    const [inner, next] = shapeAt(tokens, i + 1, text);
    if (isPunct(tokens[next], ')')) return [inner, skipExpression(tokens, next + 1)];
  }
  if (t?.kind === 'name' && t.text === 'definePolicy') {
    let j = i + 1;
    if (isPunct(tokens[j], '<')) while (j < tokens.length && !isPunct(tokens[j], '(')) j++;
    if (isPunct(tokens[j], '(')) {
      const [inner] = shapeAt(tokens, j + 1, text);
      return [inner, skipExpression(tokens, j)];
    }
  }
  const end = skipExpression(tokens, i);
  return [{ kind: 'opaque', offset, end: endOf(tokens, end, text) }, end];
}

function objectAt(tokens: Token[], i: number, text: string): [Shape, number] {
  const props = new Map<string, { key: number; value: Shape }>();
  let j = i + 1;
  while (j < tokens.length && !isPunct(tokens[j], '}')) {
    const start = j;
    // Broken source (a string cut by a newline, say) can put another closer here: stop, or the
    // loop would never move on.
    if (isCloser(tokens[j])) break;
    const key = tokens[j]!;
    const named = key.kind === 'name' || key.kind === 'string' || /^\d/.test(key.text);
    if (named && isPunct(tokens[j + 1], ':')) {
      const [value, next] = shapeAt(tokens, j + 2, text);
      if (!props.has(key.text)) props.set(key.text, { key: key.offset, value });
      j = skipExpression(tokens, next);
    } else if (named && (isPunct(tokens[j + 1], ',') || isPunct(tokens[j + 1], '}'))) {
      props.set(key.text, {
        key: key.offset,
        value: { kind: 'opaque', offset: key.offset, end: key.offset },
      });
      j++;
    } else j = skipExpression(tokens, j + 1); // spread, method, computed key: nothing to point into
    if (isPunct(tokens[j], ',')) j++;
    if (j <= start) j = start + 1; // never stand still on broken source
  }
  const end = endOf(tokens, j + 1, text);
  return [{ kind: 'object', offset: tokens[i]!.offset, end, props }, skipExpression(tokens, j + 1)];
}

function arrayAt(tokens: Token[], i: number, text: string): [Shape, number] {
  const items: Shape[] = [];
  let known = Infinity;
  let j = i + 1;
  while (j < tokens.length && !isPunct(tokens[j], ']')) {
    if (isCloser(tokens[j])) break; // mismatched brackets in broken source
    // After a spread, the index of what follows depends on the spread array's length.
    if (isPunct(tokens[j], '...')) known = Math.min(known, items.length);
    const [item, next] = shapeAt(tokens, isPunct(tokens[j], '...') ? j + 1 : j, text);
    items.push(item);
    const from = j;
    j = skipExpression(tokens, next);
    if (isPunct(tokens[j], ',')) j++;
    if (j <= from) j = from + 1; // a stray `;` in broken source: step over it
  }
  const end = endOf(tokens, j + 1, text);
  return [{ kind: 'array', offset: tokens[i]!.offset, end, items, known }, skipExpression(tokens, j + 1)];
}

/** The literal after `export default` (or the initializer of the const it names). */
function exportedLiteral(tokens: Token[], text: string): Shape | undefined {
  const at = tokens.findIndex((t, k) => t.text === 'export' && tokens[k + 1]?.text === 'default');
  if (at < 0) return undefined;
  const first = tokens[at + 2];
  // `export default policy;` names a const declared above; `new X()` or `Promise.resolve()` do not.
  const after = tokens[at + 3];
  const named =
    first?.kind === 'name' &&
    !['new', 'await', 'async', 'function', 'class', 'void', 'typeof', 'definePolicy'].includes(first.text) &&
    (after === undefined || isPunct(after, ';') || after.kind === 'name');
  if (!named) return shapeAt(tokens, at + 2, text)[0];
  const decl = tokens.findIndex(
    (t, k) => ['const', 'let', 'var'].includes(t.text) && tokens[k + 1]?.text === first.text,
  );
  if (decl < 0) return undefined;
  let j = decl + 2;
  if (isPunct(tokens[j], ':')) while (j < tokens.length && !isPunct(tokens[j], '=')) j++;
  return isPunct(tokens[j], '=') ? shapeAt(tokens, j + 1, text)[0] : undefined;
}

/** Follows the pointer through the literal; past its end, searches the remaining keys as text. */
function follow(root: Shape, segments: string[], text: string): { key: number; value: number } {
  let node = root;
  let key = root.offset;
  for (let n = 0; n < segments.length; n++) {
    const seg = segments[n]!;
    const next =
      node.kind === 'object'
        ? node.props.get(seg)
        : node.kind === 'array' && /^\d+$/.test(seg) && Number(seg) < node.known
          ? node.items[Number(seg)] && {
              key: node.items[Number(seg)]!.offset,
              value: node.items[Number(seg)]!,
            }
          : undefined;
    if (!next) {
      // Past the literal: the rest as text inside it, else anywhere (the value may be built by
      // statements, `policy.access = [...]`), else the literal itself.
      const rest = `/${segments.slice(n).join('/')}`;
      const found = fallback(text, rest, node.offset, node.end) ?? fallback(text, rest, 0, text.length);
      return { key: found ?? node.offset, value: found ?? node.offset };
    }
    key = next.key;
    node = next.value;
  }
  return { key, value: node.offset };
}

/**
 * The text search of old: each key of the pointer after the previous one, within [from, to), as
 * `key:` in a literal or `key =` in an assignment; where the last key found is, or undefined.
 */
function fallback(text: string, pointer: string, from: number, to: number): number | undefined {
  const keys = fromPointer(pointer).filter((s) => !/^\d+$/.test(s));
  let at: number | undefined;
  for (const key of keys) {
    const pattern = new RegExp(`(["']?)${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1\\s*(:|=(?!=))`, 'g');
    pattern.lastIndex = at ?? from;
    const match = pattern.exec(text);
    if (!match || match.index >= to) break;
    at = match.index;
  }
  return at;
}

/**
 * Where TS source mentions an `allowCode` key (outside comments) other than as `allowCode: true`:
 * read before any TS runs, because code must not be what allows or forbids code. Computed and
 * shorthand forms (`allowCode,` or `['allowCode']: x`) count too: every doubt fails closed.
 */
export function allowCodeInSource(text: string): number | undefined {
  const tokens = tokenize(text);
  for (const [k, t] of tokens.entries()) {
    if ((t.kind !== 'name' && t.kind !== 'string') || t.text !== 'allowCode') continue;
    const literalTrue =
      isPunct(tokens[k + 1], ':') &&
      tokens[k + 2]?.text === 'true' &&
      (isPunct(tokens[k + 3], ',') || isPunct(tokens[k + 3], '}'));
    if (!literalTrue) return t.offset;
  }
  return undefined;
}
