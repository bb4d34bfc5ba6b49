import fastJsonPatch from 'fast-json-patch';
import type { Change } from '../model/change.js';
import { changeKey, changeKeys, contentId } from '../model/change-id.js';
import { patchFor } from '../model/patch.js';

const { getValueByPointer, _areEquals } = fastJsonPatch as unknown as {
  getValueByPointer: (doc: unknown, pointer: string) => unknown;
  _areEquals: (a: unknown, b: unknown) => boolean;
};

/**
 * A saved plan is applied exactly as reviewed, and only where the world still looks as it did.
 * A saved change runs only when a fresh plan from live data holds the very same change: the same
 * action on the same address with the same content (its content id). Any other is stale and
 * skipped, never re-derived; when the fresh plan still acts on that address, the reason says which
 * precondition moved.
 */
export function staleChanges(saved: readonly Change[], fresh: readonly Change[]): Map<string, string> {
  const savedKeys = changeKeys(saved);
  const freshKeys = changeKeys(fresh);
  const now = new Map(fresh.map((c) => [changeKey(c), c]));
  const stale = new Map<string, string>();
  for (const change of saved) {
    const current = now.get(changeKey(change));
    if (current && contentId(current, freshKeys) === contentId(change, savedKeys)) continue;
    stale.set(
      change.id,
      !current
        ? 'no longer needed: live state changed since the plan was made'
        : (failedPrecondition(change, current) ??
            'changed: a fresh plan makes this change differently (live state moved since the plan was made)'),
    );
  }
  return stale;
}

/** The first leading `test` op of the saved change that the fresh change's `before` fails. */
function failedPrecondition(change: Change, current: Change): string | undefined {
  for (const op of patchFor(change.before, change.after)) {
    if (op.op !== 'test') break;
    let value: unknown;
    try {
      value = getValueByPointer(current.before ?? {}, op.path);
    } catch {
      value = undefined;
    }
    if (!_areEquals(value, op.value))
      return `precondition failed: ${op.path} was ${JSON.stringify(op.value)} when planned, is now ${JSON.stringify(value ?? null)}`;
  }
  return undefined;
}
