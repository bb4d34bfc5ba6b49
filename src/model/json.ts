/** A JSON object (not an array, not null): the one test every reader of untyped JSON needs. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value as a JSON object, or undefined: for reading optional fields of untyped bodies. */
export const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  isRecord(value) ? value : undefined;
