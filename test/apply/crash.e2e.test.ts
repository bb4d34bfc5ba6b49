import { describe, expect, it } from '@jest/globals';
import { crashAfterWrites } from './support/crash.js';

/**
 * Crash test (issue 7): an apply SIGKILLed after its k-th write request, then run again, ends
 * with live state equal to the desired state and no duplicate users, assignments or memberships.
 * The demo company (80 people, seed 7) needs 33 write requests; k spreads over that range
 * (crash-late.e2e.test.ts takes the last third).
 */
describe.each([2, 15])('accord apply killed after %i write requests, then run again', (k) => {
  it('finishes cleanly: nothing left to plan, nothing duplicated, the interruption noticed', async () => {
    const o = await crashAfterWrites(k);
    expect(o.killed.signal).toBe('SIGKILL');
    // The kill lands just after the k-th write; concurrent platforms may squeeze in a few more.
    expect(o.writesBeforeKill).toBeGreaterThanOrEqual(k);
    expect(o.lockLeft).toBe(true);
    expect({ status: o.resumed.status, stderr: o.resumed.status === 0 ? '' : o.resumed.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    expect(o.resumed.stdout).toMatch(/Apply complete: \d+ applied, 0 failed, 0 skipped, 0 stale\./);
    expect(o.remaining).toEqual([]);
    expect(o.duplicates).toEqual([]);
    // The k-th write was carried out but its answer never reached the killed run: that batch
    // was in flight, and the next run says so.
    expect(o.journalExisted).toBe(true);
    expect(o.inFlightBatches).toBeGreaterThan(0);
    expect(o.resumed.stderr).toContain('an earlier apply stopped with');
  }, 60_000);
});
