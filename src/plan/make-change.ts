import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { Change } from '../model/change.js';
import { sha256 } from '../policy/policy.js';

// fast-json-patch is CommonJS; its functions arrive on the default export under NodeNext.
const { compare } = fastJsonPatch;

/** A stable id: the same address and action always give the same id, across runs and machines. */
export const changeId = (address: string, action: string): string =>
  sha256(`${action} ${address}`).slice(0, 16);

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

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
      tests.push({ op: 'test', path: `/${escape(key)}`, value: b[key] });
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
    dependsOn: [...new Set(input.dependsOn ?? [])].sort(),
    reason: input.reason,
    ...(input.person ? { person: input.person } : {}),
  };
}
