import { describe, expect, it } from '@jest/globals';
import { crashAfterWrites, expectCleanResume } from './support/crash.js';

/**
 * Issue 15's sweep: an apply killed after each of the demo's first 29 write requests in turn (after
 * the 30th there is nothing left for a second run), each followed by a second apply, must converge
 * with 0 missing and 0 duplicated audit entries (the checks of expectCleanResume). It found the
 * freeze that recovery took for undone because the same user's deactivation was still planned.
 * Some 5 to 8 minutes on 2 cores, so not part of `npm test`, which runs four of these points
 * (crash.e2e, crash-late.e2e): run it with `npm run test:crash-sweep`.
 */
const sweep = process.env.ACCORD_CRASH_SWEEP === '1';
const points = Array.from({ length: 29 }, (_, i) => i + 1);

/** Points where the killed run had completed batches that its state file did not hold yet. */
const unfoldedAt: number[] = [];

(sweep ? describe.each(points) : describe.skip.each(points))(
  'accord apply killed after %i write requests, then run again',
  (k) => {
    it('converges with every change audited once', async () => {
      const outcome = await crashAfterWrites(k);
      expectCleanResume(outcome, k);
      if (outcome.unfoldedBatches > 0) unfoldedAt.push(k);
      // Those were folded into state by the next run before it planned, and said so.
      if (outcome.unfoldedBatches > 0)
        expect(outcome.resumed.stderr).toContain('completed change(s) to state');
    }, 60_000);
  },
);

/**
 * State is written on an interval (issue 17), so a kill usually lands between a batch's
 * completion (audit entries and journal `complete` written) and the next state write: the sweep
 * must have met that case, not only batches in flight.
 */
(sweep ? describe : describe.skip)('the sweep', () => {
  it('killed runs between a completed batch and the state write that would hold it', () => {
    expect(unfoldedAt.length).toBeGreaterThan(points.length / 2);
  });
});
