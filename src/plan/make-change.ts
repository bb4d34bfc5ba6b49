import { hash } from 'node:crypto';
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { Change } from '../model/change.js';

// fast-json-patch is CommonJS; its functions arrive on the default export under NodeNext.
const { compare, escapePathComponent } = fastJsonPatch;

/**
 * A stable id: the same address and action always give the same id, across runs and machines.
 * The hex sha256 of `policy.sha256`, through the one-shot `hash`: a plan makes one per change.
 */
export const changeId = (address: string, action: string): string =>
  hash('sha256', `${action} ${address}`).slice(0, 16);

/**
 * The patch from `before` to `after`, led by `test` ops on every value it changes: the
 * preconditions `apply` re-checks against live data before acting on a saved plan.
 */
export function patchFor(before: unknown, after: unknown): Operation[] {
  const ops = compare((before ?? {}) as object, (after ?? {}) as object);
  const tests: Operation[] = [];
  if (before && typeof before === 'object') {
    const b = before as Record<string, unknown>;
    for (const key of Object.keys(b).sort())
      tests.push({ op: 'test', path: `/${escapePathComponent(key)}`, value: b[key] });
  }
  return [...tests, ...ops];
}

export type ChangeInput = Omit<Change, 'id' | 'patch' | 'dependsOn'> & { dependsOn?: string[] };

export function makeChange(input: ChangeInput): Change {
  return {
    id: changeId(input.address, input.action),
    address: input.address,
    platform: input.platform,
    kind: input.kind,
    action: input.action,
    account: input.account,
    ...(input.target ? { target: input.target } : {}),
    before: input.before ?? null,
    after: input.after ?? null,
    patch: patchFor(input.before, input.after),
    dependsOn: uniqueSorted(input.dependsOn ?? []),
    reason: input.reason,
    ...(input.person ? { person: input.person } : {}),
  };
}

// Most changes depend on nothing or on one change: no set to build, nothing to sort.
const uniqueSorted = (ids: readonly string[]): string[] =>
  ids.length < 2 ? [...ids] : [...new Set(ids)].sort();
