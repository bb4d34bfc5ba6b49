/** Parsed SOQL. Positions are character offsets into the query text, kept so errors can point at the culprit. */

export interface FieldRef {
  kind: 'field';
  /** Path segments as written, e.g. ['Profile', 'UserLicense', 'Name']; case is resolved later against the schema. */
  path: string[];
  pos: number;
}

export interface CountItem {
  kind: 'count';
  pos: number;
}

export type SelectItem = FieldRef | CountItem;

export type DateKeyword = 'TODAY' | 'YESTERDAY' | 'TOMORROW' | 'LAST_N_DAYS' | 'NEXT_N_DAYS';

export type Literal =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'boolean'; value: boolean; pos: number }
  | { kind: 'null'; pos: number }
  | { kind: 'date'; value: string; pos: number }
  | { kind: 'datetime'; value: string; epochMs: number; pos: number }
  | { kind: 'dateKeyword'; keyword: DateKeyword; n: number; pos: number };

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE';

export type Condition =
  | { kind: 'and'; operands: Condition[] }
  | { kind: 'or'; operands: Condition[] }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; field: FieldRef; op: ComparisonOp; value: Literal; opPos: number }
  | { kind: 'in'; field: FieldRef; negated: boolean; values: Literal[] }
  | { kind: 'semiJoin'; field: FieldRef; negated: boolean; query: Query };

export interface OrderItem {
  field: FieldRef;
  descending: boolean;
  nullsLast: boolean;
}

export interface Query {
  select: SelectItem[];
  from: { name: string; pos: number };
  where?: Condition;
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
  /** The original text, so evaluation errors can quote it like Salesforce does. */
  text: string;
}
