import { describe, it } from '@jest/globals';
import { crashAfterWrites, expectCleanResume } from './support/crash.js';

/**
 * Crash test (issue 7): an apply SIGKILLed after its k-th write request, then run again, ends
 * with live state equal to the desired state and no duplicate users, assignments or memberships.
 * The demo company (80 people, seed 7) needs 30 write requests; k spreads over that range
 * (crash-late.e2e.test.ts takes the last third).
 */
describe.each([2, 12, 15])('accord apply killed after %i write requests, then run again', (k) => {
  it('finishes cleanly: nothing left to plan, nothing duplicated, the interruption noticed', async () => {
    expectCleanResume(await crashAfterWrites(k), k);
  }, 60_000);
});
