import type {
  ComparisonOp,
  Condition,
  DateKeyword,
  FieldRef,
  Literal,
  OrderItem,
  Query,
  SelectItem,
} from './ast.js';
import { positionalError, type SoqlError } from './errors.js';
import { tokenize, type Token } from './lexer.js';

/** Words that can never start a field name here; seeing one where a field belongs is a syntax error. */
const RESERVED = new Set([
  'AND',
  'ASC',
  'BY',
  'DESC',
  'EXCLUDES',
  'FALSE',
  'FIRST',
  'FROM',
  'GROUP',
  'HAVING',
  'IN',
  'INCLUDES',
  'LAST',
  'LIKE',
  'LIMIT',
  'NOT',
  'NULL',
  'NULLS',
  'OFFSET',
  'OR',
  'ORDER',
  'SELECT',
  'TRUE',
  'USING',
  'WHERE',
  'WITH',
  'FOR',
  'TYPEOF',
]);

const DATE_KEYWORDS = new Set<DateKeyword>(['TODAY', 'YESTERDAY', 'TOMORROW']);
const DATE_N_KEYWORDS = new Set<DateKeyword>(['LAST_N_DAYS', 'NEXT_N_DAYS']);

/** Salesforce rejects larger offsets with NUMBER_OUTSIDE_VALID_RANGE. */
export const MAX_OFFSET = 2000;

/** Salesforce allows five levels of parent relationships in a path. */
const MAX_RELATIONSHIP_DEPTH = 5;

class Parser {
  private i = 0;
  private readonly tokens: Token[];

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  parse(): Query {
    const query = this.query(false);
    if (this.peek().type !== 'eof') throw this.unexpected();
    return query;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.i++;
    return token;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.type === 'ident' && token.value.toUpperCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.i++;
    return true;
  }

  private expectKeyword(word: string): Token {
    if (!this.isKeyword(word)) throw this.unexpected();
    return this.next();
  }

  private isPunct(ch: string): boolean {
    const token = this.peek();
    return token.type === 'punct' && token.value === ch;
  }

  private expectPunct(ch: string): Token {
    if (!this.isPunct(ch)) throw this.unexpected();
    return this.next();
  }

  private unexpected(token = this.peek()): SoqlError {
    const shown = token.type === 'eof' ? '<EOF>' : `'${this.text.slice(token.pos, token.end)}'`;
    return positionalError('MALFORMED_QUERY', this.text, token.pos, `unexpected token: ${shown}`);
  }

  private query(nested: boolean): Query {
    this.expectKeyword('SELECT');
    const select = this.selectList(nested);
    this.expectKeyword('FROM');
    const fromToken = this.next();
    // `Group` is an sObject (queues, public groups) as well as a keyword: after FROM it is a name.
    if (
      fromToken.type !== 'ident' ||
      (RESERVED.has(fromToken.value.toUpperCase()) && fromToken.value.toUpperCase() !== 'GROUP')
    )
      throw this.unexpected(fromToken);
    const query: Query = {
      select,
      from: { name: fromToken.value, pos: fromToken.pos },
      orderBy: [],
      text: this.text,
    };
    if (this.acceptKeyword('WHERE')) query.where = this.condition(nested);
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      query.orderBy = this.orderList();
    }
    if (this.acceptKeyword('LIMIT')) query.limit = this.nonNegativeInteger('LIMIT');
    if (this.isKeyword('OFFSET')) {
      const offsetToken = this.next();
      const offset = this.nonNegativeInteger('OFFSET');
      if (offset > MAX_OFFSET) {
        throw positionalError(
          'MALFORMED_QUERY',
          this.text,
          offsetToken.pos,
          `Maximum SOQL offset allowed is ${MAX_OFFSET}`,
        );
      }
      query.offset = offset;
    }
    return query;
  }

  private selectList(nested: boolean): SelectItem[] {
    const items: SelectItem[] = [];
    do {
      const token = this.peek();
      if (this.isKeyword('COUNT') && this.peek(1).type === 'punct' && this.peek(1).value === '(') {
        this.i += 2;
        if (!this.isPunct(')')) {
          throw positionalError(
            'MALFORMED_QUERY',
            this.text,
            token.pos,
            'COUNT(fieldName) aggregate queries are not supported by the sandbox; use COUNT()',
          );
        }
        this.i++;
        items.push({ kind: 'count', pos: token.pos });
      } else if (this.isPunct('(')) {
        throw positionalError(
          'MALFORMED_QUERY',
          this.text,
          token.pos,
          'child relationship sub-queries are not supported by the sandbox',
        );
      } else {
        items.push(this.fieldRef());
      }
    } while (this.isPunct(',') && this.next());
    const count = items.find((item) => item.kind === 'count');
    if (count && (items.length > 1 || nested)) {
      throw positionalError(
        'MALFORMED_QUERY',
        this.text,
        count.pos,
        nested
          ? 'COUNT() is not allowed in a semi-join sub-select'
          : 'COUNT() must be the only element in the SELECT list',
      );
    }
    return items;
  }

  private fieldRef(): FieldRef {
    const first = this.peek();
    if (first.type !== 'ident' || RESERVED.has(first.value.toUpperCase())) throw this.unexpected();
    this.i++;
    const path = [first.value];
    while (this.isPunct('.')) {
      this.i++;
      const segment = this.next();
      if (segment.type !== 'ident') throw this.unexpected(segment);
      path.push(segment.value);
    }
    if (path.length - 1 > MAX_RELATIONSHIP_DEPTH) {
      throw positionalError(
        'MALFORMED_QUERY',
        this.text,
        first.pos,
        `SOQL statements cannot query more than ${MAX_RELATIONSHIP_DEPTH} levels of parent relationships`,
      );
    }
    return { kind: 'field', path, pos: first.pos };
  }

  /**
   * SOQL refuses to guess precedence: AND and OR may not be mixed at one level without parentheses
   * ("unexpected token: OR"), and NOT may only open a condition, never follow AND/OR.
   */
  private condition(nested: boolean): Condition {
    const first = this.acceptKeyword('NOT')
      ? ({ kind: 'not', operand: this.simpleCondition(nested) } as const)
      : this.simpleCondition(nested);
    const joiner = this.isKeyword('AND') ? 'AND' : this.isKeyword('OR') ? 'OR' : undefined;
    if (!joiner) return first;
    const operands: Condition[] = [first];
    while (this.acceptKeyword(joiner)) operands.push(this.simpleCondition(nested));
    if (this.isKeyword(joiner === 'AND' ? 'OR' : 'AND')) throw this.unexpected();
    return { kind: joiner === 'AND' ? 'and' : 'or', operands };
  }

  private simpleCondition(nested: boolean): Condition {
    if (this.isPunct('(')) {
      this.i++;
      const inner = this.condition(nested);
      this.expectPunct(')');
      return inner;
    }
    const field = this.fieldRef();
    const opToken = this.peek();
    if (opToken.type === 'op') {
      this.i++;
      const op: ComparisonOp = opToken.value === '<>' ? '!=' : (opToken.value as ComparisonOp);
      return { kind: 'compare', field, op, value: this.literal(), opPos: opToken.pos };
    }
    if (this.acceptKeyword('LIKE')) {
      return { kind: 'compare', field, op: 'LIKE', value: this.literal(), opPos: opToken.pos };
    }
    let negated = false;
    if (this.isKeyword('NOT') && this.isKeyword('IN', 1)) {
      this.i++;
      negated = true;
    }
    if (this.acceptKeyword('IN')) {
      this.expectPunct('(');
      if (this.isKeyword('SELECT')) {
        if (nested) {
          throw positionalError(
            'MALFORMED_QUERY',
            this.text,
            this.peek().pos,
            'Nesting of semi join sub-selects is not supported',
          );
        }
        const query = this.query(true);
        this.expectPunct(')');
        return { kind: 'semiJoin', field, negated, query };
      }
      const values: Literal[] = [];
      do values.push(this.literal());
      while (this.isPunct(',') && this.next());
      this.expectPunct(')');
      return { kind: 'in', field, negated, values };
    }
    throw this.unexpected();
  }

  private literal(): Literal {
    const token = this.next();
    const pos = token.pos;
    switch (token.type) {
      case 'string':
        return { kind: 'string', value: token.value, pos };
      case 'number':
        return { kind: 'number', value: Number(token.value), pos };
      case 'date':
        if (!isValidDate(token.value))
          throw positionalError('MALFORMED_QUERY', this.text, pos, `invalid date: ${token.value}`);
        return { kind: 'date', value: token.value, pos };
      case 'datetime': {
        const epochMs = Date.parse(token.value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
        if (!isValidDate(token.value.slice(0, 10)) || Number.isNaN(epochMs)) {
          throw positionalError('MALFORMED_QUERY', this.text, pos, `invalid datetime: ${token.value}`);
        }
        return { kind: 'datetime', value: token.value, epochMs, pos };
      }
      case 'ident': {
        const word = token.value.toUpperCase();
        if (word === 'TRUE' || word === 'FALSE') return { kind: 'boolean', value: word === 'TRUE', pos };
        if (word === 'NULL') return { kind: 'null', pos };
        if (DATE_KEYWORDS.has(word as DateKeyword))
          return { kind: 'dateKeyword', keyword: word as DateKeyword, n: 1, pos };
        if (DATE_N_KEYWORDS.has(word as DateKeyword)) {
          this.expectPunct(':');
          const nToken = this.next();
          if (nToken.type !== 'number' || !/^\d+$/.test(nToken.value)) throw this.unexpected(nToken);
          return { kind: 'dateKeyword', keyword: word as DateKeyword, n: Number(nToken.value), pos };
        }
        throw this.unexpected(token);
      }
      default:
        throw this.unexpected(token);
    }
  }

  private orderList(): OrderItem[] {
    const items: OrderItem[] = [];
    do {
      const field = this.fieldRef();
      let descending = false;
      if (this.acceptKeyword('DESC')) descending = true;
      else this.acceptKeyword('ASC');
      // Salesforce's defaults: nulls sort first ascending and last descending.
      let nullsLast = descending;
      if (this.acceptKeyword('NULLS')) {
        if (this.acceptKeyword('LAST')) nullsLast = true;
        else if (this.acceptKeyword('FIRST')) nullsLast = false;
        else throw this.unexpected();
      }
      items.push({ field, descending, nullsLast });
    } while (this.isPunct(',') && this.next());
    return items;
  }

  private nonNegativeInteger(clause: string): number {
    const token = this.next();
    if (token.type !== 'number' || !/^\d+$/.test(token.value)) {
      if (token.type === 'number') {
        throw positionalError(
          'MALFORMED_QUERY',
          this.text,
          token.pos,
          `${clause} must be a non-negative integer`,
        );
      }
      throw this.unexpected(token);
    }
    return Number(token.value);
  }
}

function isValidDate(ymd: string): boolean {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function parseSoql(soql: string): Query {
  return new Parser(soql).parse();
}
