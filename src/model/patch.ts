import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

// fast-json-patch is CommonJS; its functions arrive on the default export under NodeNext.
const { compare, escapePathComponent } = fastJsonPatch;

/**
 * The patch from `before` to `after`, led by `test` ops on every value it changes: the
 * preconditions `apply` re-checks against live data before acting on a saved plan. Derived where
 * it is read, never stored on a change: at a first run's 190,000 changes, a Salesforce user's
 * create alone is twenty ops, and the patches were a sixth of the plan's memory (issue 17).
 */
export function patchFor(before: unknown, after: unknown): Operation[] {
  const ops = compare((before ?? {}) as object, (after ?? {}) as object);
  const tests: Operation[] = [];
  if (before && typeof before === 'object') {
    const b = before as Record<string, unknown>;
    for (const key of Object.keys(b).sort())
      tests.push({ op: 'test', path: `/${escapePathComponent(key)}`, value: b[key] });
  }
  for (const op of ops) tests.push(op);
  return tests;
}
