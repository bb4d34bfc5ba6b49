import { RecordError } from './errors.js';
import type { SfObject } from './schema.js';
import type { Row, SalesforceStore } from './store.js';

/**
 * The rules an org holds any record to on save, beyond types: required fields, unique External
 * ID fields, and the standard Contact duplicate rule (on Email, see the README).
 */
export function checkRecordRules(store: SalesforceStore, object: SfObject, row: Row, prev?: Row): void {
  // Only what a write changes is checked against the other rows, so an owner transfer scans nothing.
  const changed = (name: string) => !prev || prev[name] !== row[name];
  const missing = Object.entries(object.fields)
    .filter(
      ([name, def]) => def.required && (row[name] === null || row[name] === undefined || row[name] === ''),
    )
    .map(([name]) => name);
  if (missing.length > 0)
    throw new RecordError(
      'REQUIRED_FIELD_MISSING',
      `Required fields are missing: [${missing.join(', ')}]`,
      missing,
    );
  for (const [name, def] of Object.entries(object.fields)) {
    if (!def.externalId || typeof row[name] !== 'string' || !changed(name)) continue;
    const other = findByExternalId(store, object.name, name, row[name]).find((r) => r.Id !== row.Id);
    if (other)
      throw new RecordError(
        'DUPLICATE_VALUE',
        `duplicate value found: ${name} duplicates value on record with id: ${other.Id}`,
        [name],
      );
  }
  if (object.name === 'Contact' && typeof row.Email === 'string' && row.Email !== '' && changed('Email')) {
    const email = row.Email.toLowerCase();
    for (const other of store.table('Contact').values())
      if (other.Id !== row.Id && typeof other.Email === 'string' && other.Email.toLowerCase() === email)
        throw new RecordError('DUPLICATES_DETECTED', 'Use one of these records?', []);
  }
}

/** Rows whose External ID field holds `value` (compared without case, as Salesforce does by default). */
export function findByExternalId(
  store: SalesforceStore,
  object: string,
  field: string,
  value: string,
): Row[] {
  const wanted = value.toLowerCase();
  const out: Row[] = [];
  for (const r of store.table(object).values())
    if (typeof r[field] === 'string' && r[field].toLowerCase() === wanted) out.push(r);
  return out;
}
