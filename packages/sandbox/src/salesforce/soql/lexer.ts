import { positionalError } from './errors.js';

export type TokenType = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'punct' | 'op' | 'eof';

export interface Token {
  type: TokenType;
  /** Identifier text as written, decoded string contents, numeric text, or the punctuation/operator itself. */
  value: string;
  pos: number;
  /** Offset just past the token, for quoting it in errors. */
  end: number;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})/y;
const DATE = /\d{4}-\d{2}-\d{2}(?![\dT:])/y;
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)/y;
const OPERATOR = /!=|<>|<=|>=|=|<|>/y;

const STRING_ESCAPES: Record<string, string> = {
  n: '\n',
  N: '\n',
  t: '\t',
  T: '\t',
  r: '\r',
  R: '\r',
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
  // LIKE needs to tell an escaped wildcard from a real one, so these keep their backslash.
  _: '\\_',
  '%': '\\%',
};

function match(re: RegExp, text: string, pos: number): string | undefined {
  re.lastIndex = pos;
  return re.exec(text)?.[0];
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const ch = text[pos]!;
    if (/\s/.test(ch)) {
      pos++;
      continue;
    }
    if (ch === "'") {
      const start = pos;
      let value = '';
      pos++;
      for (;;) {
        const c = text[pos];
        if (c === undefined)
          throw positionalError('MALFORMED_QUERY', text, start, 'unterminated string literal');
        if (c === "'") break;
        if (c === '\\') {
          const next = text[pos + 1];
          if (next === 'u' || next === 'U') {
            const hex = text.slice(pos + 2, pos + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              throw positionalError(
                'MALFORMED_QUERY',
                text,
                pos,
                'Invalid string literal: bad unicode escape',
              );
            }
            value += String.fromCharCode(parseInt(hex, 16));
            pos += 6;
            continue;
          }
          const decoded = next === undefined ? undefined : STRING_ESCAPES[next];
          if (decoded === undefined) {
            throw positionalError('MALFORMED_QUERY', text, pos, `Invalid string literal '\\${next ?? ''}'`);
          }
          value += decoded;
          pos += 2;
          continue;
        }
        value += c;
        pos++;
      }
      pos++;
      tokens.push({ type: 'string', value, pos: start, end: pos });
      continue;
    }
    const datetime = match(DATETIME, text, pos);
    if (datetime) {
      tokens.push({ type: 'datetime', value: datetime, pos, end: pos + datetime.length });
      pos += datetime.length;
      continue;
    }
    const date = match(DATE, text, pos);
    if (date) {
      tokens.push({ type: 'date', value: date, pos, end: pos + date.length });
      pos += date.length;
      continue;
    }
    // A sign only starts a number where an operand is expected; nothing else in the subset uses + or -.
    const number = match(NUMBER, text, pos);
    if (number && /[\d.]/.test(number[number.length - 1]!) && number !== '.') {
      tokens.push({ type: 'number', value: number, pos, end: pos + number.length });
      pos += number.length;
      continue;
    }
    const ident = match(IDENT, text, pos);
    if (ident) {
      tokens.push({ type: 'ident', value: ident, pos, end: pos + ident.length });
      pos += ident.length;
      continue;
    }
    const op = match(OPERATOR, text, pos);
    if (op) {
      tokens.push({ type: 'op', value: op, pos, end: pos + op.length });
      pos += op.length;
      continue;
    }
    if ('(),.:'.includes(ch)) {
      tokens.push({ type: 'punct', value: ch, pos, end: pos + 1 });
      pos++;
      continue;
    }
    throw positionalError('MALFORMED_QUERY', text, pos, `unexpected token: '${ch}'`);
  }
  tokens.push({ type: 'eof', value: '<EOF>', pos: text.length, end: text.length });
  return tokens;
}
