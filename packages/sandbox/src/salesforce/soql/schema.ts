/** What the engine needs to know about the org's data; the Salesforce store implements it. */

export type FieldType =
  'id' | 'string' | 'boolean' | 'int' | 'double' | 'date' | 'datetime' | 'reference' | 'picklist';

export interface FieldDef {
  type: FieldType;
  referenceTo?: string;
  relationshipName?: string;
}

export interface SObjectSchema {
  name: string;
  /** Keyed by canonical field name, e.g. 'Id', 'Username', 'IsActive'. */
  fields: Record<string, FieldDef>;
}

export interface SoqlDatabase {
  /** Called with a canonical object name; the engine resolves the query's casing via objectNames(). */
  schema(objectName: string): SObjectSchema | undefined;
  objectNames(): string[];
  rows(objectName: string): Iterable<Record<string, unknown>>;
  byId(objectName: string, id: string): Record<string, unknown> | undefined;
}

export interface SoqlOptions {
  /** Used in each record's attributes.url; with or without the leading 'v'. */
  apiVersion?: string;
  /** queryAll semantics: keep rows whose IsDeleted is true. */
  includeDeleted?: boolean;
  /** Clock for TODAY/YESTERDAY/LAST_N_DAYS; defaults to the real time. */
  now?: () => Date;
}

export interface SoqlResult {
  totalSize: number;
  records: Record<string, unknown>[];
  isCount: boolean;
}
