import { expect } from '@jest/globals';
/**
 * One crash scenario: `accord apply` in a child process is SIGKILLed right after the sandbox has
 * carried out its k-th write request (before the response goes back, so the child never learns
 * the write happened), then a second apply runs to completion; expectCleanResume checks the outcome.
 */
import { existsSync } from 'node:fs';
import { verifyAudit, type AuditVerification } from '../../../src/state/audit.js';
import { Journal, journalPath } from '../../../src/state/journal.js';
import { readState } from '../../../src/state/state-file.js';
import { forceUnlock, lockPath } from '../../../src/state/lock.js';
import {
  duplicates,
  freshPlan,
  isWrite,
  loopbackSandbox,
  readAudit,
  repeated,
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
  // Crash-complete audit: every change of the plan landed once, and is logged applied exactly once,
  // whether by the killed run, by the resumed one, or recovered from the journal.
  expect(o.auditMissing).toEqual([]);
  expect(o.auditDuplicated).toEqual([]);
  expect(o.auditExtra).toEqual([]);
  // The k-th write landed unanswered: its change is logged by the run that found it in the journal.
  expect(o.recoveredEntries).toBeGreaterThan(0);
  expect(o.auditVerified).toMatchObject({ ok: true, keyed: true });
}

const AUDIT_KEY = 'crash-test-audit-key';

export const CRASH_PEOPLE = 80;
export const CRASH_SEED = 7;

export interface CrashOutcome {
  killed: CliRun;
  writesBeforeKill: number;
  journalExisted: boolean;
  inFlightBatches: number;
  /** Batches the killed run completed and audited but had not written to state. */
  unfoldedBatches: number;
  lockLeft: boolean;
  resumed: CliRun;
  remaining: string[];
  duplicates: string[];
  /** Changes of the first plan with no applied audit entry. */
  auditMissing: string[];
  /** Applied audit entries logged more than once for the same plan. */
  auditDuplicated: string[];
  /** Applied audit entries for changes the first plan did not have. */
  auditExtra: string[];
  auditVerified: AuditVerification;
  /** How many entries (applied or interrupted) were written by recovery. */
  recoveredEntries: number;
}

export async function crashAfterWrites(k: number): Promise<CrashOutcome> {
  const sandbox = await loopbackSandbox({ people: CRASH_PEOPLE, seed: CRASH_SEED });
  const dir = scratch(`crash-${k}`);
  const args = ['apply', '--auto-approve', '--state', dir.state, '--audit', dir.audit];
  // Keyed, so the check below also proves the killed, recovering and resumed writers kept one
  // signed chain and a head in state that matches it.
  const env = { ACCORD_AUDIT_KEY: AUDIT_KEY };
  try {
    const planned = (await freshPlan(sandbox, dir.state)).changes.map((c) => `${c.action} ${c.address}`);
    let writes = 0;
    const killed = await runAccord(sandbox, args, { env, killAfter: (r) => isWrite(r) && ++writes >= k });
    const writesBeforeKill = writeRequests(sandbox).length;
    const journalExisted = existsSync(journalPath(dir.state));
    const killedJournal = journalExisted ? await Journal.open(dir.state) : undefined;
    const inFlightBatches = killedJournal ? (await killedJournal.inFlight()).length : 0;
    // Completed (audited) but not yet in the state file: state is written on an interval.
    const unfoldedBatches = killedJournal ? (await killedJournal.unfolded()).length : 0;
    const lockLeft = existsSync(lockPath(dir.state));
    // The killed run could not release its lock; a person checks it is gone and force-unlocks
    // (what `accord force-unlock` does, in-process to save a child's start-up).
    if (lockLeft) await forceUnlock(dir.state);
    const resumed = await runAccord(sandbox, args, { env });
    const state = await readState(dir.state);
    const auditVerified = await verifyAudit(dir.audit, {
      key: AUDIT_KEY,
      ...(state.audit ? { head: state.audit } : {}),
      stateIdentity: state,
    });
    const remaining = (await freshPlan(sandbox, dir.state)).changes.map((c) => `${c.action} ${c.address}`);
    const entries = await readAudit(dir.audit);
    const logged = entries
      .filter((e) => e.result === 'applied')
      .map((e) => ({ key: `${e.action} ${e.address}`, planHash: e.planHash }));
    const keys = logged.map((e) => e.key);
    return {
      auditMissing: planned.filter((k) => !keys.includes(k)),
      // Per plan: the resumed run may rightly send a change again that the killed one had in
      // flight (a transfer is planned until its owner is deactivated); that is a second change.
      auditDuplicated: repeated(logged.map((e) => `${e.planHash} ${e.key}`)),
      auditExtra: [...new Set(keys.filter((k) => !planned.includes(k)))],
      recoveredEntries: entries.filter((e) => e.recovered).length,
      auditVerified,
      killed,
      writesBeforeKill,
      journalExisted,
      inFlightBatches,
      unfoldedBatches,
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
