/** Public API for policy authors: `import { definePolicy } from 'accord-access'`. */
export type * from './policy/types.js';
export { definePolicy } from './policy/define-policy.js';
