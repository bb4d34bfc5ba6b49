/**
 * GitHub Actions expressions (`${{ ... }}`), as far as accord's workflows use them, evaluated the
 * way the Actions runner does: loose equality that coerces to numbers and compares strings without
 * case, `&&`/`||` that return an operand, property access on null giving null, the status
 * functions, and `if:` conditions that get an implicit `success() &&`. Anything else (an unknown
 * function, `*` filters, a context we do not provide) throws: a test runner must never guess.
 */

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

type Node =
  | { kind: 'literal'; value: Value }
  | { kind: 'context'; name: string }
  | { kind: 'member'; object: Node; property: Node }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'not'; operand: Node }
  | { kind: 'binary'; op: '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||'; left: Node; right: Node };

export class ExpressionError extends Error {
  constructor(message: string, expression: string) {
    super(`${message} in expression \`${expression}\``);
    this.name = 'ExpressionError';
  }
}

/** What an evaluation can reach: the contexts by name and the functions that need the runner. */
export interface Scope {
  /** A context by name (`github`, `env`, `steps`...); throw for one this place does not offer. */
  context(name: string): Value;
  /** The job's status for success() / failure() / cancelled(); undefined where they are not allowed. */
  status?: 'success' | 'failure' | 'cancelled';
  /** hashFiles(...patterns): '' when nothing matches. */
  hashFiles?: (patterns: string[]) => string;
  /** Checks a property path read from a context (e.g. that `steps.<id>` names a step of the job). */
  checkPath?: (path: string[]) => void;
}

// ---------------------------------------------------------------- tokens

type Token =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string }
  | { t: 'end' };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExpressionError('unterminated string', src);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += src[i++];
      }
      tokens.push({ t: 'str', v });
      continue;
    }
    const prev = tokens.at(-1);
    const operandExpected = !prev || (prev.t === 'op' && prev.v !== ')' && prev.v !== ']');
    if (/\d/.test(ch) || (ch === '-' && operandExpected && /\d/.test(src[i + 1] ?? ''))) {
      const num = /^(0x[0-9a-fA-F]+|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(src.slice(i))!;
      tokens.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
    if (id) {
      tokens.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = /^(==|!=|<=|>=|&&|\|\||[!<>()[\].,*])/.exec(src.slice(i));
    if (op) {
      tokens.push({ t: 'op', v: op[0] });
      i += op[0].length;
      continue;
    }
    throw new ExpressionError(`unexpected character '${ch}'`, src);
  }
  tokens.push({ t: 'end' });
  return tokens;
}

// ---------------------------------------------------------------- parser

const FUNCTIONS = new Set([
  'success',
  'failure',
  'always',
  'cancelled',
  'contains',
  'startsWith',
  'endsWith',
  'format',
  'join',
  'toJSON',
  'fromJSON',
  'hashFiles',
]);
const STATUS_FUNCTIONS = new Set(['success', 'failure', 'always', 'cancelled']);

export function parse(src: string): Node {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const isOp = (v: string) => {
    const t = peek();
    return t.t === 'op' && t.v === v;
  };
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExpressionError(`expected '${v}'`, src);
    pos++;
  };

  const primary = (): Node => {
    const t = tokens[pos++]!;
    if (t.t === 'num' || t.t === 'str') return { kind: 'literal', value: t.v };
    if (t.t === 'op' && t.v === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') return { kind: 'literal', value: t.v === 'true' };
      if (t.v === 'null') return { kind: 'literal', value: null };
      if (isOp('(')) {
        if (!FUNCTIONS.has(t.v)) throw new ExpressionError(`unsupported function ${t.v}()`, src);
        pos++;
        const args: Node[] = [];
        if (!isOp(')')) {
          args.push(or());
          while (isOp(',')) {
            pos++;
            args.push(or());
          }
        }
        expect(')');
        return { kind: 'call', name: t.v, args };
      }
      return { kind: 'context', name: t.v };
    }
    throw new ExpressionError(`unexpected ${t.t === 'end' ? 'end' : `'${'v' in t ? t.v : ''}'`}`, src);
  };
  const postfix = (): Node => {
    let node = primary();
    for (;;) {
      if (isOp('.')) {
        pos++;
        const t = tokens[pos++]!;
        if (t.t === 'op' && t.v === '*')
          throw new ExpressionError('object filters (.*) are not supported', src);
        if (t.t !== 'id') throw new ExpressionError('expected a property name after "."', src);
        node = { kind: 'member', object: node, property: { kind: 'literal', value: t.v } };
      } else if (isOp('[')) {
        pos++;
        if (isOp('*')) throw new ExpressionError('object filters ([*]) are not supported', src);
        const property = or();
        expect(']');
        node = { kind: 'member', object: node, property };
      } else return node;
    }
  };
  const unary = (): Node => {
    if (isOp('!')) {
      pos++;
      return { kind: 'not', operand: unary() };
    }
    return postfix();
  };
  const binary = (ops: string[], next: () => Node) => (): Node => {
    let left = next();
    while (peek().t === 'op' && ops.includes((peek() as { v: string }).v)) {
      const op = (tokens[pos++] as { v: string }).v as '==';
      left = { kind: 'binary', op, left, right: next() };
    }
    return left;
  };
  const comparison = binary(['<', '<=', '>', '>='], unary);
  const equality = binary(['==', '!='], comparison);
  const and = binary(['&&'], equality);
  const or = binary(['||'], and);

  const node = or();
  if (peek().t !== 'end') throw new ExpressionError('unexpected text after the expression', src);
  return node;
}

// ---------------------------------------------------------------- evaluation

export const truthy = (v: Value): boolean =>
  !(v === null || v === false || v === '' || (typeof v === 'number' && (v === 0 || Number.isNaN(v))));

const toNumber = (v: Value): number => {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return 0;
    return /^(0x[0-9a-fA-F]+|[-+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/.test(s) ? Number(s) : NaN;
  }
  return NaN;
};

const typeOf = (v: Value) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function compare(op: string, a: Value, b: Value): boolean {
  if (op === '==' || op === '!=') {
    let equal: boolean;
    if (typeOf(a) === typeOf(b)) {
      if (typeof a === 'string') equal = a.toLowerCase() === (b as string).toLowerCase();
      else if (typeof a === 'number') equal = a === b;
      else equal = a === b;
    } else equal = toNumber(a) === toNumber(b);
    return op === '==' ? equal : !equal;
  }
  let x: number | string;
  let y: number | string;
  if (typeof a === 'string' && typeof b === 'string') {
    x = a.toLowerCase();
    y = b.toLowerCase();
  } else {
    x = toNumber(a);
    y = toNumber(b);
  }
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  return x >= y;
}

/** How a value reads inside a string (`${{ }}` interpolation, format(), contains()). */
export function toText(v: Value, expression = ''): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  throw new ExpressionError(`an ${typeOf(v)} cannot be used as text (use toJSON)`, expression);
}

/** The property path of a member chain from a context (`steps.plan.outputs.exit-code`), if static. */
function staticPath(node: Node): string[] | undefined {
  if (node.kind === 'context') return [node.name];
  if (node.kind === 'member' && node.property.kind === 'literal' && typeof node.property.value === 'string') {
    const base = staticPath(node.object);
    return base && [...base, node.property.value];
  }
  return undefined;
}

export function evaluateNode(node: Node, scope: Scope, src: string): Value {
  const ev = (n: Node) => evaluateNode(n, scope, src);
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'context':
      return scope.context(node.name);
    case 'member': {
      const path = staticPath(node);
      if (path && scope.checkPath) scope.checkPath(path);
      const object = ev(node.object);
      const key = ev(node.property);
      if (object === null || typeof object !== 'object') return null;
      if (Array.isArray(object)) {
        const index = toNumber(key);
        return Number.isInteger(index) ? (object[index] ?? null) : null;
      }
      // Property names are case-insensitive in Actions.
      const name = toText(key, src);
      if (Object.hasOwn(object, name)) return object[name] ?? null;
      const found = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
      return found === undefined ? null : (object[found] ?? null);
    }
    case 'not':
      return !truthy(ev(node.operand));
    case 'binary': {
      if (node.op === '&&') {
        const left = ev(node.left);
        return truthy(left) ? ev(node.right) : left;
      }
      if (node.op === '||') {
        const left = ev(node.left);
        return truthy(left) ? left : ev(node.right);
      }
      return compare(node.op, ev(node.left), ev(node.right));
    }
    case 'call':
      return call(node, scope, src, ev);
  }
}

function call(
  node: Extract<Node, { kind: 'call' }>,
  scope: Scope,
  src: string,
  ev: (n: Node) => Value,
): Value {
  const arity = (min: number, max = min) => {
    if (node.args.length < min || node.args.length > max)
      throw new ExpressionError(
        `${node.name}() takes ${min === max ? min : `${min} to ${max}`} arguments`,
        src,
      );
  };
  if (STATUS_FUNCTIONS.has(node.name)) {
    arity(0);
    if (node.name === 'always') return true;
    if (!scope.status) throw new ExpressionError(`${node.name}() is not available here`, src);
    if (node.name === 'success') return scope.status === 'success';
    if (node.name === 'failure') return scope.status === 'failure';
    return scope.status === 'cancelled';
  }
  const args = node.args.map(ev);
  switch (node.name) {
    case 'contains': {
      arity(2);
      const [haystack, needle] = args as [Value, Value];
      if (Array.isArray(haystack)) return haystack.some((item) => compare('==', item, needle));
      return toText(haystack, src).toLowerCase().includes(toText(needle, src).toLowerCase());
    }
    case 'startsWith':
      arity(2);
      return toText(args[0]!, src).toLowerCase().startsWith(toText(args[1]!, src).toLowerCase());
    case 'endsWith':
      arity(2);
      return toText(args[0]!, src).toLowerCase().endsWith(toText(args[1]!, src).toLowerCase());
    case 'format': {
      if (args.length < 1) throw new ExpressionError('format() needs a format string', src);
      const [fmt, ...rest] = args;
      return toText(fmt!, src).replace(/\{\{|\}\}|\{(\d+)\}/g, (m, index: string | undefined) => {
        if (m === '{{') return '{';
        if (m === '}}') return '}';
        const i = Number(index);
        if (i >= rest.length) throw new ExpressionError(`format() has no argument {${i}}`, src);
        return toText(rest[i]!, src);
      });
    }
    case 'join': {
      arity(1, 2);
      const sep = args.length > 1 ? toText(args[1]!, src) : ',';
      const list = args[0]!;
      return Array.isArray(list) ? list.map((v) => toText(v, src)).join(sep) : toText(list, src);
    }
    case 'toJSON':
      arity(1);
      return JSON.stringify(args[0], null, 2);
    case 'fromJSON':
      arity(1);
      return JSON.parse(toText(args[0]!, src)) as Value;
    case 'hashFiles':
      if (!scope.hashFiles) throw new ExpressionError('hashFiles() is only available in steps', src);
      if (args.length < 1) throw new ExpressionError('hashFiles() needs a pattern', src);
      return scope.hashFiles(args.map((a) => toText(a, src)));
  }
  throw new ExpressionError(`unsupported function ${node.name}()`, src);
}

/** Evaluates one expression (without `${{ }}`). */
export function evaluate(src: string, scope: Scope): Value {
  return evaluateNode(parse(src), scope, src);
}

const usesStatus = (node: Node): boolean => {
  switch (node.kind) {
    case 'call':
      return STATUS_FUNCTIONS.has(node.name) || node.args.some(usesStatus);
    case 'member':
      return usesStatus(node.object) || usesStatus(node.property);
    case 'not':
      return usesStatus(node.operand);
    case 'binary':
      return usesStatus(node.left) || usesStatus(node.right);
    default:
      return false;
  }
};

const WHOLE = /^\s*\$\{\{([\s\S]*)\}\}\s*$/;

/**
 * An `if:` condition: `${{ expr }}` or a bare expression; without a status function it means
 * `success() && (expr)`, as in Actions. Absent (undefined) means success().
 */
export function condition(value: unknown, scope: Scope): boolean {
  if (value === undefined || value === null) return scope.status === 'success';
  if (typeof value === 'boolean') return value && scope.status === 'success';
  if (typeof value !== 'string')
    throw new ExpressionError(`an if: must be a string, got ${typeof value}`, '');
  let src = value;
  const whole = WHOLE.exec(value);
  if (whole) {
    if (whole[1]!.includes('${{'))
      throw new ExpressionError('an if: mixing text and ${{ }} is not supported', value);
    src = whole[1]!;
  } else if (value.includes('${{'))
    throw new ExpressionError('an if: mixing text and ${{ }} is not supported', value);
  const node = parse(src);
  const result = truthy(evaluateNode(node, scope, src));
  return usesStatus(node) ? result : scope.status === 'success' && result;
}

/** A string with `${{ expr }}` parts replaced by their text. */
export function interpolate(text: string, scope: Scope): string {
  let out = '';
  let i = 0;
  for (;;) {
    const start = text.indexOf('${{', i);
    if (start < 0) return out + text.slice(i);
    out += text.slice(i, start);
    // The closing `}}` outside any string literal.
    let j = start + 3;
    let inString = false;
    for (; j < text.length; j++) {
      if (text[j] === "'") inString = !inString;
      else if (!inString && text.startsWith('}}', j)) break;
    }
    if (j >= text.length) throw new ExpressionError('unterminated ${{', text);
    const src = text.slice(start + 3, j);
    out += toText(evaluate(src, scope), src);
    i = j + 2;
  }
}

/** Interpolates every string inside a value (a `with:` or `env:` map). */
export function interpolateAll<T>(value: T, scope: Scope): T {
  if (typeof value === 'string') return interpolate(value, scope) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => interpolateAll(v, scope)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, interpolateAll(v, scope)]),
    ) as T;
  return value;
}
