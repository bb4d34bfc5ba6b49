/**
 * A self-contained SOQL engine for the Salesforce emulator: parse once, compile WHERE into a predicate,
 * stream the store's rows through it, then sort/slice only the matches and shape them as the REST API does.
 */
import type { Query } from './ast.js';
import { evaluate } from './evaluate.js';
import { parseSoql } from './parser.js';
import type { SoqlDatabase, SoqlOptions, SoqlResult } from './schema.js';

export type * from './ast.js';
export type { FieldDef, FieldType, SObjectSchema, SoqlDatabase, SoqlOptions, SoqlResult } from './schema.js';
export { SoqlError, type SoqlErrorCode } from './errors.js';
export { parseSoql } from './parser.js';

export function runSoql(soql: string, db: SoqlDatabase, options?: SoqlOptions): SoqlResult {
  return runQuery(parseSoql(soql), db, options);
}

/** For callers that cache parsed queries (e.g. a query locator replaying its query). */
export function runQuery(query: Query, db: SoqlDatabase, options: SoqlOptions = {}): SoqlResult {
  return evaluate(query, db, options);
}
