import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { applyStoreDrift, STORE_DRIFT_KINDS } from './support/drift.js';
import { describeChanges, duplicates, freshPlan, loopbackSandbox, scratch } from './support/harness.js';
import { applyInProcess } from './support/in-process.js';

/**
 * Convergence (DESIGN "Rules that make it loop-free" 4): on a random company with random manual
 * drift, `accord apply` over real HTTP leaves nothing to do — a fresh plan is empty — and leaves
 * no duplicate behind.
 */
describe('accord apply converges (property)', () => {
  it('plan → apply → plan is empty, for random companies and drift', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 100_000 }),
          people: fc.integer({ min: 60, max: 110 }),
          drift: fc.array(fc.tuple(fc.constantFrom(...STORE_DRIFT_KINDS), fc.nat(500), fc.nat(500)), {
            minLength: 2,
            maxLength: 6,
          }),
        }),
        async ({ seed, people, drift }) => {
          const sandbox = await loopbackSandbox({ people, seed });
          const dir = scratch('converge');
          try {
            const done = applyStoreDrift(sandbox, drift);
            const run = await applyInProcess(sandbox, dir);
            const context = { seed, people, drift: done, stderr: run.stderr.slice(-2000) };
            expect({ ...context, status: run.status }).toEqual({ ...context, status: 0 });
            const applied = /Apply complete: (\d+) applied, 0 failed, 0 skipped, 0 stale\./.exec(run.stdout);
            expect(Number(applied?.[1])).toBeGreaterThan(0);
            const again = await freshPlan(sandbox, dir.state);
            expect({ ...context, changes: describeChanges(again) }).toEqual({ ...context, changes: [] });
            expect(duplicates(sandbox)).toEqual([]);
          } finally {
            await sandbox.close();
            dir.remove();
          }
        },
      ),
      { seed: 20261123, numRuns: 6, endOnFailure: true },
    );
  }, 120_000);
});
