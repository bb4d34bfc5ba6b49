import fastJsonPatch from 'fast-json-patch';
import type { Change } from '../model/change.js';

const { getValueByPointer, _areEquals } = fastJsonPatch as unknown as {
  getValueByPointer: (doc: unknown, pointer: string) => unknown;
  _areEquals: (a: unknown, b: unknown) => boolean;
};

/**
 * A saved plan is applied exactly as reviewed, and only where the world still looks as it did:
 * each saved change must still be needed (a fresh plan from live data has the same change id)
 * and its leading `test` ops must hold against the fresh change's `before`. Anything else is
 * stale and skipped, never re-derived.
 */
export function staleChanges(saved: readonly Change[], fresh: readonly Change[]): Map<string, string> {
  const now = new Map(fresh.map((c) => [c.id, c]));
  const stale = new Map<string, string>();
  for (const change of saved) {
    const current = now.get(change.id);
    if (!current) {
      stale.set(change.id, 'no longer needed: live state changed since the plan was made');
      continue;
    }
    for (const op of change.patch) {
      if (op.op !== 'test') break;
      let value: unknown;
      try {
        value = getValueByPointer(current.before ?? {}, op.path);
      } catch {
        value = undefined;
      }
      if (!_areEquals(value, op.value)) {
        stale.set(
          change.id,
          `precondition failed: ${op.path} was ${JSON.stringify(op.value)} when planned, is now ${JSON.stringify(value ?? null)}`,
        );
        break;
      }
    }
  }
  return stale;
}
