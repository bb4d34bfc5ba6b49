import type { PolicyDocument } from './types.js';

/**
 * Identity function that gives TypeScript policy files type checking and completion:
 * `export default definePolicy({ access: [...] })`.
 *
 * Not generic on purpose: with `<T extends PolicyDocument>` TypeScript infers T from the literal
 * and skips its excess-property check, so a misspelt key beside valid ones (`acess` next to
 * `groups`) went unnoticed in the editor. Against a declared parameter type every object literal
 * is checked for unknown keys, and the error sits on the misspelt key itself (overloads would
 * report it on the whole call). At run time accord checks the value against the schema anyway.
 */
export function definePolicy(document: PolicyDocument | PolicyDocument[]): PolicyDocument | PolicyDocument[] {
  return document;
}
