import { expect } from '@jest/globals';
/**
 * One crash scenario: `accord apply` in a child process is SIGKILLed right after the sandbox has
 * carried out its k-th write request (before the response goes back, so the child never learns
 * the write happened), then a second apply runs to completion; expectCleanResume checks the outcome.
 */
import { existsSync } from 'node:fs';
import { Journal, journalPath } from '../../../src/state/journal.js';
import { forceUnlock, lockPath } from '../../../src/state/lock.js';
import {
  duplicates,
  freshPlan,
  isWrite,
  loopbackSandbox,
  runAccord,
  scratch,
  writeRequests,
  type CliRun,
} from './harness.js';

/**
 * The expectations every crash test shares: the child was really killed mid-apply, the second run
 * finished cleanly, nothing is left to plan or duplicated, and the interruption was noticed.
 */
export function expectCleanResume(o: CrashOutcome, k: number): void {
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
}

export const CRASH_PEOPLE = 80;
export const CRASH_SEED = 7;

export interface CrashOutcome {
  killed: CliRun;
  writesBeforeKill: number;
  journalExisted: boolean;
  inFlightBatches: number;
  lockLeft: boolean;
  resumed: CliRun;
  remaining: string[];
  duplicates: string[];
}

export async function crashAfterWrites(k: number): Promise<CrashOutcome> {
  const sandbox = await loopbackSandbox({ people: CRASH_PEOPLE, seed: CRASH_SEED });
  const dir = scratch(`crash-${k}`);
  const args = ['apply', '--auto-approve', '--state', dir.state, '--audit', dir.audit];
  try {
    let writes = 0;
    const killed = await runAccord(sandbox, args, { killAfter: (r) => isWrite(r) && ++writes >= k });
    const writesBeforeKill = writeRequests(sandbox).length;
    const journalExisted = existsSync(journalPath(dir.state));
    const inFlightBatches = journalExisted ? (await (await Journal.open(dir.state)).inFlight()).length : 0;
    const lockLeft = existsSync(lockPath(dir.state));
    // The killed run could not release its lock; a person checks it is gone and force-unlocks
    // (what `accord force-unlock` does, in-process to save a child's start-up).
    if (lockLeft) await forceUnlock(dir.state);
    const resumed = await runAccord(sandbox, args);
    const remaining = (await freshPlan(sandbox, dir.state)).changes.map((c) => `${c.action} ${c.address}`);
    return {
      killed,
      writesBeforeKill,
      journalExisted,
      inFlightBatches,
      lockLeft,
      resumed,
      remaining,
      duplicates: duplicates(sandbox),
    };
  } finally {
    await sandbox.close();
    dir.remove();
  }
}
