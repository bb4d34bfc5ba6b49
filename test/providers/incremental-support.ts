/**
 * What the "incremental equals full" property tests of every platform share: the random tenants
 * and rounds of edits, the providers of a sandbox split into those under test and the rest, the
 * plan lines compared, and scratch cache files that are removed afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Snapshots } from '../../src/model/snapshot.js';
import { emptyState } from '../../src/model/state.js';
import { createPlan } from '../../src/plan/plan.js';
import type { Policy } from '../../src/policy/policy.js';
import type { Provider } from '../../src/providers/provider.js';
import { createProviders } from '../../src/providers/registry.js';
import type { Sandbox } from '@accord/sandbox';

/** The plan of `snapshots` on an empty state, one line per change, at a fixed date. */
export const planLines =
  (policy: Policy, now = new Date('2026-11-23T00:00:00Z')) =>
  (snapshots: Snapshots): string[] =>
    createPlan(policy, snapshots, emptyState(), { now }).changes.map(
      (c) => `${c.action} ${c.address} ${JSON.stringify(c.after)}`,
    );

/** A tenant of 20 to 80 people (its seed too), and up to 5 rounds of up to 4 edits each. */
export const tenantAndRounds = <E>(edit: fc.Arbitrary<E>) =>
  [
    fc.integer({ min: 20, max: 80 }),
    fc.integer({ min: 1, max: 1000 }),
    fc.array(fc.array(edit, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
  ] as const;

/** Fresh providers of the sandbox each call (no state carried between reads), split by platform. */
export function providersOf(policy: Policy, sandbox: Sandbox, underTest: (id: string) => boolean) {
  const all = (): Provider[] => createProviders({ platforms: policy.platforms, env: sandbox.env });
  return {
    mine: () => all().filter((p) => underTest(p.id)),
    others: () => all().filter((p) => !underTest(p.id)),
  };
}

/** One snapshot cache file per run, each in a temp dir that `removeAll` deletes. */
export function scratchCaches(prefix: string) {
  const dirs: string[] = [];
  return {
    next: async (): Promise<{ path: string }> => {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      dirs.push(dir);
      return { path: join(dir, 'cache.json') };
    },
    removeAll: () => Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))),
  };
}
