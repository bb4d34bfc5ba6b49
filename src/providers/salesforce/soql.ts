/** Building SOQL from values accord did not write itself (usernames, names from policy). */

/** A SOQL string literal: backslash and quote escaped, as SOQL requires. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

export const inList = (values: readonly string[]): string => `(${values.map(quote).join(', ')})`;

/** Field and object names are identifiers (custom ones end in __c); anything else is refused. */
export const isIdentifier = (name: string): boolean => /^[A-Za-z][A-Za-z0-9_]*$/.test(name);

/**
 * Splits values for `IN (...)` lists so each query's text stays under `maxChars`: queries go in
 * the GET URL, which Salesforce caps at 16,384 characters once encoded. 200 usernames of usual
 * length fit in one list, so the usual lookup costs one call per chunk of 200.
 */
export function inBatches(values: readonly string[], maxChars = 8000): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const value of values) {
    const size = quote(value).length + 2;
    if (current.length > 0 && length + size > maxChars) {
      out.push(current);
      current = [];
      length = 0;
    }
    current.push(value);
    length += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
