import { mkdir, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AccordError } from '../errors.js';
import type { Change } from '../model/change.js';
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

type JournalRecord =
  | { type: 'begin'; batch: JournalBatch }
  | { type: 'complete'; batchId: string; results: JournalResult[]; completedAt: string };

export const journalPath = (statePath: string) => `${statePath}.journal`;

/**
 * Write-ahead record of the batches an apply has sent to a provider (`<state>.journal`, JSON
 * lines). `begin` is durable before the batch's first request and `complete` before the state is
 * written, so after a SIGKILL the next run knows which changes may have reached a platform
 * (in flight: look each one up before re-sending) and which surely did (applied), even when the
 * state file never heard of them. A clean finish clears it.
 */
export class Journal {
  // Platforms run concurrently; appends are chained so records never interleave and each fsync
  // covers a whole record.
  private tail: Promise<void> = Promise.resolve();

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

  /** Batches begun but never completed (by a run that crashed). */
  async inFlight(): Promise<JournalBatch[]> {
    const begun = new Map<string, JournalBatch>();
    for (const record of await this.records()) {
      if (record.type === 'begin') begun.set(record.batch.id, record.batch);
      else begun.delete(record.batchId);
    }
    return [...begun.values()];
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
    const done = this.tail.then(() => appendDurably(this.path, `${JSON.stringify(record)}\n`));
    this.tail = done.catch(() => {});
    return done;
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
  return undefined;
}
