import type { Change, ChangeResult } from '../model/change.js';
import type { State } from '../model/state.js';
import type { Plan } from '../plan/types.js';
import { appendAudit, lastAuditEntry, loggedInLog, withAuditHead, type AuditInput } from '../state/audit.js';
import type { Journal, JournalBatch } from '../state/journal.js';
import { nextState } from '../state/next-state.js';
import { readState } from '../state/state-file.js';
import { writeState } from '../state/write-state.js';

/**
 * After a crash: the batches the journal says were sent but never completed. Their changes may or
 * may not have reached the platform; the fresh plan, made from live state under the lock, tells
 * which. A change the fresh plan no longer holds (same action, same address) is done, so it gets the audit
 * entry and the state record (link, ownership) the killed run never wrote. One still planned may
 * or may not have landed (a transfer is planned until its owner is deactivated, whatever it
 * moved): it is logged as `interrupted`, and this run sends it again and logs that as usual.
 */

export interface Recovered {
  planHash: string;
  /** Live state shows them done. */
  changes: Change[];
  /** Still planned: sent, perhaps carried out, and about to be sent again. */
  interrupted: Change[];
}

/** Pure: which in-flight changes live state shows done, and which are still planned, per plan. */
export function reachedPlatform(
  inFlight: readonly JournalBatch[],
  fresh: Pick<Plan, 'changes'>,
): Recovered[] {
  // By action and address: a leaver's freeze and deactivation share the user's address, and the
  // first landing leaves only the second planned.
  const pending = new Set(fresh.changes.map((c) => `${c.action} ${c.address}`));
  const byPlan = new Map<string, Recovered>();
  for (const batch of inFlight) {
    // A journal from before changes were recorded names ids only: nothing to audit from.
    if (!batch.changes || !batch.planHash) continue;
    let entry = byPlan.get(batch.planHash);
    if (!entry)
      byPlan.set(batch.planHash, (entry = { planHash: batch.planHash, changes: [], interrupted: [] }));
    for (const c of batch.changes)
      (pending.has(`${c.action} ${c.address}`) ? entry.interrupted : entry.changes).push(c);
  }
  return [...byPlan.values()];
}

export interface RecoveryTarget {
  statePath: string;
  auditPath: string;
  auditKey?: string;
  actor: string;
  gitCommit: string | null;
  plan: Pick<Plan, 'policyDigest' | 'snapshotFingerprints'>;
}

/**
 * Writes what the interrupted run could not: one audit entry per recovered change (skipping those
 * it logged before it died), then state with their links and ownership. Returns how many changes
 * were recovered.
 */
export async function recordRecovered(
  recovered: readonly Recovered[],
  target: RecoveryTarget,
): Promise<number> {
  const all = recovered.flatMap((r) => r.changes);
  if (all.length + recovered.flatMap((r) => r.interrupted).length === 0) return 0;
  const logged = await loggedInLog(target.auditPath, new Set(recovered.map((r) => r.planHash)));
  const time = new Date().toISOString();
  const entry = (planHash: string, result: string, message: string) => (c: Change) => ({
    ...auditFields(c),
    time,
    actor: target.actor,
    gitCommit: target.gitCommit,
    planHash,
    result,
    message,
    recovered: true as const,
  });
  const unlogged = (planHash: string) => (c: Change) => !logged.has(`${planHash} ${c.action} ${c.address}`);
  const inputs: AuditInput[] = recovered.flatMap(({ planHash, changes, interrupted }) => [
    ...changes
      .filter(unlogged(planHash))
      .map(entry(planHash, 'applied', 'sent by an apply that was interrupted; live state shows it done')),
    ...interrupted
      .filter(unlogged(planHash))
      .map(
        entry(
          planHash,
          'interrupted',
          'sent by an apply that was interrupted before it heard back; still planned, so sent again',
        ),
      ),
  ]);
  const entries = await appendAudit(target.auditPath, inputs, target.auditKey);
  const results: ChangeResult[] = all.map((c) => ({ changeId: c.id, status: 'applied' }));
  const state: State = nextState(
    await readState(target.statePath),
    all,
    results,
    target.plan,
    target.gitCommit,
  );
  // The head is the log's last line: the entries just written, or those the killed run wrote.
  const head = entries.at(-1) ?? (await lastAuditEntry(target.auditPath));
  await writeState(target.statePath, withAuditHead(state, head, target.auditKey));
  return all.length;
}

/**
 * After a crash, before planning: the batches the journal saw completed that no checkpoint says
 * the state file holds (state is written on an interval, not per batch). Their audit entries are
 * already in the log, written before `complete`, so only state is written: their links and
 * ownership folded in, lastApply as the interrupted run would have recorded it, and the audit head
 * moved to the log's last entry. A checkpoint then names them, so a crash right after does not
 * fold them again (folding twice would be harmless). Returns how many changes were folded.
 */
export async function foldCompleted(
  journal: Journal,
  target: Pick<RecoveryTarget, 'statePath' | 'auditPath' | 'auditKey'>,
): Promise<number> {
  const unfolded = await journal.unfolded();
  if (unfolded.length === 0) return 0;
  let state: State = await readState(target.statePath);
  let folded = 0;
  for (const { batch, results, run } of unfolded) {
    const changes = batch.changes ?? [];
    const typed: ChangeResult[] = results.map((r) => ({
      changeId: r.changeId,
      status: r.status as ChangeResult['status'],
    }));
    // A journal without its run record (older) keeps what state said about the last apply.
    const applied = run ?? {
      policyDigest: state.lastApply?.policyDigest ?? '',
      snapshotFingerprints: {},
      gitCommit: state.lastApply?.gitCommit ?? null,
    };
    state = nextState(state, changes, typed, applied, applied.gitCommit);
    folded += typed.filter((r) => r.status === 'applied').length;
  }
  await writeState(
    target.statePath,
    withAuditHead(state, await lastAuditEntry(target.auditPath), target.auditKey),
  );
  await journal.checkpoint(unfolded.map((u) => u.batch.id));
  return folded;
}

/** The parts of an audit entry a change itself says. */
export function auditFields(
  change: Change,
): Pick<AuditInput, 'address' | 'action' | 'person' | 'rule' | 'fact'> {
  return {
    address: change.address,
    action: change.action,
    person: change.person ?? null,
    rule: change.reason.rule ?? null,
    fact: change.reason.source,
  };
}
