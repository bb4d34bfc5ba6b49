import { mkdir, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AccordError } from '../errors.js';
import type { Change } from '../model/change.js';
import type { Plan } from '../plan/types.js';
import { appendDurably, cutTornTail, fsyncDir } from './fsync.js';

export interface JournalBatch {
  id: string;
  platform: string;
  changeIds: string[];
  startedAt: string;
  /**
   * The changes themselves and the digest of their plan: a run that finds the batch in flight
   * writes the audit entries and state the killed run never got to. Journals written before
   * these were recorded have neither.
   */
  changes?: Change[];
  planHash?: string;
}

export interface JournalResult {
  changeId: string;
  status: string;
}

/**
 * What an apply records in state's `lastApply` and `fingerprints` for the batches it folds in:
 * written once, before its first batch, so a later run can fold completed batches the same way.
 */
export interface JournalRun extends Pick<Plan, 'policyDigest' | 'snapshotFingerprints'> {
  planHash: string;
  gitCommit: string | null;
}

/** A batch the journal saw completed that no checkpoint says the state file holds yet. */
export interface UnfoldedBatch {
  batch: JournalBatch;
  results: JournalResult[];
  /** The run that sent it, when its journal recorded one. */
  run?: JournalRun;
}

type JournalRecord =
  | { type: 'run'; run: JournalRun }
  | { type: 'begin'; batch: JournalBatch }
  | { type: 'complete'; batchId: string; results: JournalResult[]; completedAt: string }
  | { type: 'checkpoint'; batchIds: string[]; at: string };

export const journalPath = (statePath: string) => `${statePath}.journal`;

/**
 * Write-ahead record of the batches an apply has sent to a provider (`<state>.journal`, JSON
 * lines). `begin` is durable before the batch's first request and `complete` (after the batch's
 * audit entries) before its changes are folded into state; state is written on an interval, and
 * each write is followed by a `checkpoint` naming the batches it holds. After a SIGKILL the next
 * run knows which changes may have reached a platform (in flight: begun, not completed; look each
 * one up before re-sending) and which surely did and are audited but may be missing from the state
 * file (completed, in no checkpoint: folded into state before planning). A clean finish clears it.
 */
export class Journal {
  // Platforms run concurrently; appends are chained so records never interleave. Records asked
  // for while a write is under way go out together in the next one (one write, one fsync), and
  // each caller's promise resolves once its own record is durable.
  private tail: Promise<void> = Promise.resolve();
  private queued:
    { text: string; done: Array<{ resolve: () => void; reject: (e: unknown) => void }> } | undefined;
  /** Appends asked for and durable writes made: how well group commit worked, for the report. */
  readonly stats = { appends: 0, writes: 0 };

  private constructor(readonly path: string) {}

  static async open(statePath: string): Promise<Journal> {
    const path = journalPath(statePath);
    await mkdir(dirname(path), { recursive: true });
    await cutTornTail(path);
    return new Journal(path);
  }

  begin(batch: JournalBatch): Promise<void> {
    return this.append({ type: 'begin', batch });
  }

  complete(batchId: string, results: JournalResult[]): Promise<void> {
    return this.append({ type: 'complete', batchId, results, completedAt: new Date().toISOString() });
  }

  /** Before an apply's first batch: what its folds into state record (see `unfolded`). */
  run(run: JournalRun): Promise<void> {
    return this.append({ type: 'run', run });
  }

  /** After a state write: the state file now holds these completed batches. */
  checkpoint(batchIds: readonly string[]): Promise<void> {
    if (batchIds.length === 0) return Promise.resolve();
    return this.append({ type: 'checkpoint', batchIds: [...batchIds], at: new Date().toISOString() });
  }

  /** Batches begun but never completed (by a run that crashed). */
  async inFlight(): Promise<JournalBatch[]> {
    const begun = new Map<string, JournalBatch>();
    for (const record of await this.records()) {
      if (record.type === 'begin') begun.set(record.batch.id, record.batch);
      else if (record.type === 'complete') begun.delete(record.batchId);
    }
    return [...begun.values()];
  }

  /**
   * Batches completed (their audit entries written) that no checkpoint names: a run killed
   * between a batch's completion and the next state write. In journal order. A batch whose begin
   * lacks its changes (an older journal) is left out: there is nothing to fold from.
   */
  async unfolded(): Promise<UnfoldedBatch[]> {
    const runs = new Map<string, JournalRun>();
    const begun = new Map<string, JournalBatch>();
    const done = new Map<string, UnfoldedBatch>();
    for (const record of await this.records()) {
      if (record.type === 'run') runs.set(record.run.planHash, record.run);
      else if (record.type === 'begin') begun.set(record.batch.id, record.batch);
      else if (record.type === 'complete') {
        const batch = begun.get(record.batchId);
        if (!batch?.changes) continue;
        const run = batch.planHash !== undefined ? runs.get(batch.planHash) : undefined;
        done.set(record.batchId, { batch, results: record.results, ...(run ? { run } : {}) });
      } else for (const id of record.batchIds) done.delete(id);
    }
    return [...done.values()];
  }

  /** Change ids completed as 'applied' in the journal (survives a crash before state was written). */
  async applied(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const record of await this.records())
      if (record.type === 'complete')
        for (const result of record.results) if (result.status === 'applied') ids.add(result.changeId);
    return ids;
  }

  /** After a clean finish: the state file now holds everything the journal knew. */
  async clear(): Promise<void> {
    // A record asked for after this call goes after the unlink, not into a group before it.
    this.queued = undefined;
    const done = this.tail.then(async () => {
      await unlink(this.path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await fsyncDir(dirname(this.path));
    });
    this.tail = done.catch(() => {});
    return done;
  }

  private append(record: JournalRecord): Promise<void> {
    this.stats.appends++;
    const line = `${JSON.stringify(record)}\n`;
    return new Promise<void>((resolve, reject) => {
      if (this.queued) {
        // A write is already waiting for the one under way: ride along with it.
        this.queued.text += line;
        this.queued.done.push({ resolve, reject });
        return;
      }
      const group = (this.queued = { text: line, done: [{ resolve, reject }] });
      const written = this.tail.then(() => {
        // From here on, records go into the next group.
        if (this.queued === group) this.queued = undefined;
        this.stats.writes++;
        return appendDurably(this.path, group.text);
      });
      this.tail = written.then(
        () => group.done.forEach((d) => d.resolve()),
        (error: unknown) => group.done.forEach((d) => d.reject(error)),
      );
    });
  }

  private async records(): Promise<JournalRecord[]> {
    await this.tail;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const lines = text.split('\n');
    const records: JournalRecord[] = [];
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      let record: JournalRecord | undefined;
      try {
        record = checkRecord(JSON.parse(line));
      } catch {
        record = undefined;
      }
      if (record) records.push(record);
      // Only the last line can be torn by a crash (and a torn begin was never acted on); anything
      // else means the file was damaged, and guessing could re-send or skip real changes.
      else if (index !== lines.length - 1)
        throw new AccordError(`journal ${this.path} is damaged at line ${index + 1}`, {
          code: 'state.journal',
          hint: 'check the platforms by hand for the changes of the last apply, then delete the journal',
        });
    }
    return records;
  }
}

function checkRecord(value: unknown): JournalRecord | undefined {
  const record = value as Partial<JournalRecord> | null;
  if (!record || typeof record !== 'object') return undefined;
  if (record.type === 'begin') {
    const batch = record.batch;
    if (batch && typeof batch.id === 'string' && Array.isArray(batch.changeIds))
      return record as JournalRecord;
  }
  if (record.type === 'complete' && typeof record.batchId === 'string' && Array.isArray(record.results))
    return record as JournalRecord;
  if (record.type === 'checkpoint' && Array.isArray(record.batchIds)) return record as JournalRecord;
  if (record.type === 'run' && record.run && typeof record.run.planHash === 'string')
    return record as JournalRecord;
  return undefined;
}
