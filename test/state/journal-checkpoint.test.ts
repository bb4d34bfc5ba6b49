import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Change } from '../../src/model/change.js';
import { Journal, journalPath, type JournalBatch, type JournalRun } from '../../src/state/journal.js';
import { membershipGrant } from '../support/builders.js';

/**
 * The journal records behind interval state writes (issue 17): `run`, `checkpoint`, and
 * `unfolded` (completed batches no checkpoint names: what a killed run had not yet written to
 * state), plus group commit of concurrent appends.
 */

const statePathIn = () => join(mkdtempSync(join(tmpdir(), 'accord-journal-cp-')), 'prod.state.json');

const change = membershipGrant;

const run: JournalRun = {
  planHash: 'p1',
  policyDigest: 'd1',
  snapshotFingerprints: { okta: 'f1' },
  gitCommit: null,
};

const batch = (id: string, c: Change): JournalBatch => ({
  id,
  platform: 'okta',
  changeIds: [c.id],
  startedAt: '2026-01-01T00:00:00.000Z',
  changes: [c],
  planHash: 'p1',
});

describe('Journal checkpoints', () => {
  it('names the completed batches no checkpoint holds, with their run, after a re-open', async () => {
    const statePath = statePathIn();
    const journal = await Journal.open(statePath);
    const [a, b, c, d] = [change(1), change(2), change(3), change(4)];
    await journal.run(run);
    for (const [id, x] of [
      ['b1', a],
      ['b2', b],
      ['b3', c],
      ['b4', d],
    ] as const)
      await journal.begin(batch(id, x));
    await journal.complete('b1', [{ changeId: a.id, status: 'applied' }]);
    await journal.complete('b2', [{ changeId: b.id, status: 'failed' }]);
    await journal.checkpoint(['b1']);
    await journal.complete('b3', [{ changeId: c.id, status: 'applied' }]);
    // b4 stays in flight: begun, never completed.
    const next = await Journal.open(statePath);
    const unfolded = await next.unfolded();
    expect(unfolded.map((u) => [u.batch.id, u.results.map((r) => r.status)])).toEqual([
      ['b2', ['failed']],
      ['b3', ['applied']],
    ]);
    expect(unfolded[0]!.run).toEqual(run);
    expect(unfolded[1]!.batch.changes).toEqual([c]);
    expect((await next.inFlight()).map((x) => x.id)).toEqual(['b4']);
    await next.checkpoint(['b2', 'b3']);
    expect(await next.unfolded()).toEqual([]);
  });

  it('commits appends that arrive while a write is under way together, every record kept', async () => {
    const statePath = statePathIn();
    const journal = await Journal.open(statePath);
    const changes = Array.from({ length: 30 }, (_, i) => change(i));
    await Promise.all(changes.map((x, i) => journal.begin(batch(`b${i}`, x))));
    expect(journal.stats.appends).toBe(30);
    // Asked for before the first write started: all of them share it.
    expect(journal.stats.writes).toBe(1);
    const lines = readFileSync(journalPath(statePath), 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { batch: { id: string } }).batch.id)).toEqual(
      changes.map((_, i) => `b${i}`),
    );
  });

  it('puts a record asked for after clear after the removal, not before it', async () => {
    const statePath = statePathIn();
    const journal = await Journal.open(statePath);
    const first = journal.begin(batch('old', change(1)));
    const cleared = journal.clear();
    const after = journal.begin(batch('new', change(2)));
    await Promise.all([first, cleared, after]);
    expect((await journal.inFlight()).map((x) => x.id)).toEqual(['new']);
  });
});
