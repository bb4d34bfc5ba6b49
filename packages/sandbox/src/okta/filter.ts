import { invalidSearch } from './errors.js';

/**
 * The SCIM-like expressions of Okta's `filter` and `search` parameters:
 *   expr   := term ('or' term)*
 *   term   := factor ('and' factor)*
 *   factor := '(' expr ')' | attr op value | attr 'pr'
 * Operators and string values compare case-insensitively (as Okta documents for search); `not`
 * and `ne` are not supported, as in Okta. What each parameter allows is a `Dialect`.
 */

export type Operator = 'eq' | 'sw' | 'co' | 'gt' | 'ge' | 'lt' | 'le' | 'pr';
type Literal = string | number | boolean | null;

export type Expression =
  | { kind: 'and' | 'or'; left: Expression; right: Expression }
  | { kind: 'compare'; attribute: string; op: Operator; value: Literal };

export interface Dialect {
  /** Name used in error messages (`filter` or `search`). */
  parameter: string;
  /** Null when the attribute/operator pair is allowed, else why not. */
  check(attribute: string, op: Operator): string | null;
}

/** Reads an attribute path (`status`, `profile.login`, `type.id`) of a record. */
export type AttributeReader<T> = (record: T, attribute: string) => unknown;

const OPERATORS = new Set<string>(['eq', 'sw', 'co', 'gt', 'ge', 'lt', 'le', 'pr']);

type Token =
  { t: 'paren'; v: '(' | ')' } | { t: 'word'; v: string } | { t: 'string'; v: string } | { t: 'end' };

function tokenize(text: string, parameter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ t: 'paren', v: c });
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text.charAt(i) !== '"') {
        if (text.charAt(i) === '\\' && i + 1 < text.length) i++;
        value += text.charAt(i++);
      }
      if (i >= text.length) throw invalidSearch(`${parameter}: unterminated string`);
      i++;
      tokens.push({ t: 'string', v: value });
    } else {
      const start = i;
      while (i < text.length && !/[\s()"]/.test(text.charAt(i))) i++;
      tokens.push({ t: 'word', v: text.slice(start, i) });
    }
  }
  tokens.push({ t: 'end' });
  return tokens;
}

export function parseExpression(text: string, dialect: Dialect): Expression {
  const tokens = tokenize(text, dialect.parameter);
  let at = 0;
  const peek = () => tokens[at] as Token;
  const fail = (why: string): never => {
    throw invalidSearch(`${dialect.parameter}: ${why}`);
  };
  const keyword = (word: string) => {
    const token = peek();
    return token.t === 'word' && token.v.toLowerCase() === word;
  };

  const expr = (): Expression => {
    let left = term();
    while (keyword('or')) {
      at++;
      left = { kind: 'or', left, right: term() };
    }
    return left;
  };
  const term = (): Expression => {
    let left = factor();
    while (keyword('and')) {
      at++;
      left = { kind: 'and', left, right: factor() };
    }
    return left;
  };
  const factor = (): Expression => {
    const token = peek();
    if (token.t === 'paren' && token.v === '(') {
      at++;
      const inner = expr();
      const close = peek();
      if (close.t !== 'paren' || close.v !== ')') fail('missing )');
      at++;
      return inner;
    }
    if (token.t !== 'word') return fail('expected an attribute');
    if (token.v.toLowerCase() === 'not') return fail('the not operator is not supported');
    at++;
    const attribute = token.v;
    const opToken = peek();
    const op = opToken.t === 'word' ? opToken.v.toLowerCase() : '';
    if (!OPERATORS.has(op)) return fail(`unsupported operator after ${attribute}`);
    at++;
    const why = dialect.check(attribute, op as Operator);
    if (why) fail(why);
    if (op === 'pr') return { kind: 'compare', attribute, op: 'pr', value: null };
    return { kind: 'compare', attribute, op: op as Operator, value: literal() };
  };
  const literal = (): Literal => {
    const token = peek();
    at++;
    if (token.t === 'string') return token.v;
    if (token.t === 'word') {
      const lower = token.v.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (lower === 'null') return null;
      if (/^-?\d+(\.\d+)?$/.test(token.v)) return Number(token.v);
    }
    return fail('expected a value');
  };

  const result = expr();
  if (peek().t !== 'end') fail('unexpected text after the expression');
  return result;
}

/** Attributes compared as instants rather than strings. */
const TIME_ATTRIBUTES = new Set([
  'created',
  'activated',
  'statusChanged',
  'lastUpdated',
  'lastLogin',
  'passwordChanged',
  'lastMembershipUpdated',
]);

export function evaluate<T>(expression: Expression, record: T, read: AttributeReader<T>): boolean {
  switch (expression.kind) {
    case 'and':
      return evaluate(expression.left, record, read) && evaluate(expression.right, record, read);
    case 'or':
      return evaluate(expression.left, record, read) || evaluate(expression.right, record, read);
    case 'compare': {
      const actual = read(record, expression.attribute);
      const values = Array.isArray(actual) ? (actual as unknown[]) : [actual];
      return values.some((v) => compare(v, expression.op, expression.value, expression.attribute));
    }
  }
}

function compare(actual: unknown, op: Operator, expected: Literal, attribute: string): boolean {
  if (op === 'pr') return actual !== null && actual !== undefined && actual !== '';
  if (expected === null) return op === 'eq' && (actual === null || actual === undefined);
  if (actual === null || actual === undefined) return false;
  let a: string | number | boolean;
  let b: string | number | boolean;
  if (TIME_ATTRIBUTES.has(attribute) && typeof actual === 'string' && typeof expected === 'string') {
    a = Date.parse(actual);
    b = Date.parse(expected);
    if (Number.isNaN(b)) return false;
  } else if (typeof expected === 'string') {
    a = String(actual).toLowerCase();
    b = expected.toLowerCase();
  } else {
    a = actual as string | number | boolean;
    b = expected;
  }
  switch (op) {
    case 'eq':
      return a === b;
    case 'sw':
      return typeof a === 'string' && a.startsWith(String(b));
    case 'co':
      return typeof a === 'string' && a.includes(String(b));
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
  }
}

/** Values an expression pins with `attribute eq "value"` in every branch (for index lookups). */
export function pinnedValue(expression: Expression, attribute: string): string | undefined {
  if (expression.kind === 'compare') {
    return expression.attribute === attribute &&
      expression.op === 'eq' &&
      typeof expression.value === 'string'
      ? expression.value
      : undefined;
  }
  if (expression.kind === 'and') {
    return pinnedValue(expression.left, attribute) ?? pinnedValue(expression.right, attribute);
  }
  return undefined;
}

/** Reads `a.b.c` from nested plain objects. */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

// ---- the dialects Okta documents (reference 1.2) --------------------------------------------------

const TIME_OPS = new Set<Operator>(['eq', 'gt', 'ge', 'lt', 'le']);

export const userFilterDialect: Dialect = {
  parameter: 'filter',
  check(attribute, op) {
    const allowed = [
      'status',
      'lastUpdated',
      'id',
      'profile.login',
      'profile.email',
      'profile.firstName',
      'profile.lastName',
    ];
    if (!allowed.includes(attribute)) return `filter does not support the attribute ${attribute}`;
    if (attribute === 'lastUpdated' ? !TIME_OPS.has(op) : op !== 'eq') {
      return `filter does not support the operator ${op} on ${attribute}`;
    }
    return null;
  },
};

const USER_TOP_LEVEL = ['id', 'status', 'created', 'activated', 'statusChanged', 'lastUpdated', 'type.id'];
const USER_CONTAINS = ['profile.firstName', 'profile.lastName', 'profile.email', 'profile.login'];

export const userSearchDialect: Dialect = {
  parameter: 'search',
  check(attribute, op) {
    if (!attribute.startsWith('profile.') && !USER_TOP_LEVEL.includes(attribute)) {
      return `search does not support the attribute ${attribute}`;
    }
    if (op === 'co' && !USER_CONTAINS.includes(attribute)) {
      return `search supports co only on firstName, lastName, email and login`;
    }
    return null;
  },
};

const GROUP_FILTER_ATTRIBUTES = ['id', 'type', 'lastUpdated', 'lastMembershipUpdated'];

export const groupFilterDialect: Dialect = {
  parameter: 'filter',
  check(attribute, op) {
    if (!GROUP_FILTER_ATTRIBUTES.includes(attribute))
      return `filter does not support the attribute ${attribute}`;
    const timed = attribute === 'lastUpdated' || attribute === 'lastMembershipUpdated';
    if (timed ? !TIME_OPS.has(op) : op !== 'eq')
      return `filter does not support the operator ${op} on ${attribute}`;
    return null;
  },
};

export const groupSearchDialect: Dialect = {
  parameter: 'search',
  check(attribute) {
    const allowed = [...GROUP_FILTER_ATTRIBUTES, 'created', 'source.id'];
    if (!attribute.startsWith('profile.') && !allowed.includes(attribute)) {
      return `search does not support the attribute ${attribute}`;
    }
    return null;
  },
};

/**
 * `GET /api/v1/apps?filter=`: Okta documents `id`, `status`, `name` (and properties the emulator
 * doesn't model: `credentials.signing.kid`, `settings.slo.enabled`, `user.id`, `group.id`), with
 * `eq` only. The unmodelled ones are refused like any unsupported filter.
 */
export const appFilterDialect: Dialect = {
  parameter: 'filter',
  check(attribute, op) {
    if (!['id', 'name', 'status'].includes(attribute))
      return `filter does not support the attribute ${attribute}`;
    if (op !== 'eq') return `filter does not support the operator ${op} on ${attribute}`;
    return null;
  },
};
