import { describe, expect, it } from '@jest/globals';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, journalPath, type JournalBatch } from '../../src/state/journal.js';

const statePathIn = () => join(mkdtempSync(join(tmpdir(), 'accord-journal-')), 'state', 'prod.state.json');

const batch = (id: string, changeIds: string[], platform = 'okta'): JournalBatch => ({
  id,
  platform,
  changeIds,
  startedAt: '2026-01-01T00:00:00.000Z',
});

describe('Journal', () => {
  it('starts empty and creates nothing until something is begun', async () => {
    const statePath = statePathIn();
    const journal = await Journal.open(statePath);
    expect(await journal.inFlight()).toEqual([]);
    expect(await journal.applied()).toEqual(new Set());
    expect(existsSync(journalPath(statePath))).toBe(false);
  });

  it('shows a batch begun but never completed as in flight after re-open (a crashed run)', async () => {
    const statePath = statePathIn();
    const first = await Journal.open(statePath);
    await first.begin(batch('b1', ['c1', 'c2']));
    await first.begin(batch('b2', ['c3'], 'salesforce:prod'));
    await first.complete('b1', [
      { changeId: 'c1', status: 'applied' },
      { changeId: 'c2', status: 'failed' },
    ]);
    // No complete for b2: the process was killed while it was at the provider.
    const next = await Journal.open(statePath);
    expect(await next.inFlight()).toEqual([batch('b2', ['c3'], 'salesforce:prod')]);
    expect(await next.applied()).toEqual(new Set(['c1']));
  });

  it('keeps every record when platforms write concurrently', async () => {
    const statePath = statePathIn();
    const journal = await Journal.open(statePath);
    const ids = Array.from({ length: 30 }, (_, i) => `b${i}`);
    await Promise.all(ids.map((id) => journal.begin(batch(id, [`${id}-c`]))));
    await Promise.all(
      ids.slice(0, 20).map((id) => journal.complete(id, [{ changeId: `${id}-c`, status: 'applied' }])),
    );
    const reopened = await Journal.open(statePath);
    expect((await reopened.inFlight()).map((b) => b.id).sort()).toEqual(ids.slice(20).sort());
    expect((await reopened.applied()).size).toBe(20);
    expect(readFileSync(journalPath(statePath), 'utf8').trim().split('\n')).toHaveLength(50);
  });

  it('cuts a line torn by a crash before appending, so the next record is not lost', async () => {
    const statePath = statePathIn();
    const journal = await Journal.open(statePath);
    await journal.begin(batch('b1', ['c1']));
    appendFileSync(journalPath(statePath), '{"type":"begin","batch":{"id":"b2","chan');
    expect((await journal.inFlight()).map((b) => b.id)).toEqual(['b1']);
    const next = await Journal.open(statePath);
    await next.complete('b1', [{ changeId: 'c1', status: 'applied' }]);
    expect(await next.inFlight()).toEqual([]);
    expect(await next.applied()).toEqual(new Set(['c1']));
  });

  it('refuses to guess when a line in the middle is damaged', async () => {
    const statePath = statePathIn();
    const journal = await Journal.open(statePath);
    await journal.begin(batch('b1', ['c1']));
    appendFileSync(journalPath(statePath), 'garbage\n');
    await journal.begin(batch('b2', ['c2']));
    await expect(journal.inFlight()).rejects.toMatchObject({
      code: 'state.journal',
      message: expect.stringContaining('line 2'),
    });
  });

  it('clear removes the journal after a clean finish', async () => {
    const statePath = statePathIn();
    const journal = await Journal.open(statePath);
    await journal.begin(batch('b1', ['c1']));
    await journal.complete('b1', [{ changeId: 'c1', status: 'applied' }]);
    await journal.clear();
    expect(existsSync(journalPath(statePath))).toBe(false);
    expect(await (await Journal.open(statePath)).applied()).toEqual(new Set());
    await journal.clear();
  });
});
