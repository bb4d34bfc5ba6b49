import type { PolicyDocument } from './types.js';

/**
 * Identity function that gives TypeScript policy files type checking and completion:
 * `export default definePolicy({ access: [...] })`.
 */
export function definePolicy<T extends PolicyDocument | PolicyDocument[]>(document: T): T {
  return document;
}
