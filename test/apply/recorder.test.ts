import { describe, expect, it } from '@jest/globals';
import { IntervalRecorder, type AuditLink, type RecorderSinks } from '../../src/apply/recorder.js';
import type { Change, ChangeResult } from '../../src/model/change.js';
import { membershipGrant } from '../support/builders.js';

/**
 * The interval writes of apply/recorder.ts with an injected clock: no timers, no timed
 * assertions. The sinks record the order of every durable step, so the tests can check the
 * invariant crash completeness rests on: a batch is folded into a state write only after its
 * audit entries and its journal `complete`, and each write is followed by a checkpoint naming
 * exactly the batches it holds.
 */

const change = membershipGrant;
const applied = (c: Change): ChangeResult => ({ changeId: c.id, status: 'applied' });

/** State as the fake folds it: the change ids it holds, and its audit head. */
interface FakeState {
  ids: string[];
  head?: number;
}

function harness(intervalMs = 1000) {
  let clock = 0;
  let seq = 0;
  const steps: string[] = [];
  const written: FakeState[] = [];
  let release: (() => void) | undefined;
  let holdWrites = false;
  const sinks: RecorderSinks<FakeState> = {
    audit: (changes) => {
      seq += changes.length;
      steps.push(`audit ${changes.map((c) => c.account.key).join(',')}`);
      const link: AuditLink = { seq, hash: `h${seq}` };
      return Promise.resolve(changes.length ? link : undefined);
    },
    complete: (batchId) => {
      steps.push(`complete ${batchId}`);
      return Promise.resolve();
    },
    fold: (state, _changes, results, head) => ({
      ids: [...state.ids, ...results.filter((r) => r.status === 'applied').map((r) => r.changeId)],
      ...(head ? { head: head.seq } : {}),
    }),
    write: (state) => {
      steps.push(`write ${state.ids.length}`);
      written.push(state);
      if (!holdWrites) return Promise.resolve();
      return new Promise<void>((resolve) => (release = resolve));
    },
    checkpoint: (ids) => {
      steps.push(`checkpoint ${ids.join(',')}`);
      return Promise.resolve();
    },
  };
  const recorder = new IntervalRecorder<FakeState>({ ids: [] }, sinks, { intervalMs, now: () => clock });
  return {
    recorder,
    steps,
    written,
    tick: (ms: number) => void (clock += ms),
    hold: () => void (holdWrites = true),
    release: () => {
      holdWrites = false;
      release?.();
    },
  };
}

describe('interval state writes (issue 17)', () => {
  it('writes state at most once an interval, never per batch, and at the end', async () => {
    const h = harness(1000);
    const changes = Array.from({ length: 6 }, (_, i) => change(i));
    // Three batches inside the first interval: audit and complete each, no state write.
    for (const [i, c] of changes.slice(0, 3).entries()) {
      h.tick(300);
      await h.recorder.record(`b${i + 1}`, [c], [applied(c)]);
    }
    expect(h.written).toEqual([]);
    // The fourth completes after 1200 ms: one write with all four, then its checkpoint.
    h.tick(300);
    await h.recorder.record('b4', [changes[3]!], [applied(changes[3]!)]);
    expect(h.written.map((s) => s.ids.length)).toEqual([4]);
    expect(h.steps.slice(-2)).toEqual(['write 4', 'checkpoint b1,b2,b3,b4']);
    // The interval starts again from that write.
    h.tick(999);
    await h.recorder.record('b5', [changes[4]!], [applied(changes[4]!)]);
    expect(h.written).toHaveLength(1);
    h.tick(1);
    await h.recorder.record('b6', [changes[5]!], [applied(changes[5]!)]);
    expect(h.written.map((s) => s.ids.length)).toEqual([4, 6]);
    // Nothing pending: the end writes nothing more.
    await h.recorder.finish();
    expect(h.written).toHaveLength(2);
  });

  it('folds a batch only after its audit entries and its complete are durable', async () => {
    const h = harness(0);
    const [a, b] = [change(1), change(2)];
    await h.recorder.record('b1', [a], [applied(a)]);
    await h.recorder.record('b2', [b], [applied(b)]);
    expect(h.steps).toEqual([
      'audit u1',
      'complete b1',
      'write 1',
      'checkpoint b1',
      'audit u2',
      'complete b2',
      'write 2',
      'checkpoint b2',
    ]);
    // State's head is the last entry appended, never one the log lacks.
    expect(h.written.map((s) => s.head)).toEqual([1, 2]);
  });

  it('does not hold batches back while a write is under way; the next write takes them', async () => {
    const h = harness(1000);
    const changes = Array.from({ length: 3 }, (_, i) => change(i));
    h.tick(1000);
    h.hold();
    const slow = h.recorder.record('b1', [changes[0]!], [applied(changes[0]!)]);
    // Let its audit and complete settle (promise jobs only; no clock involved).
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.steps).toContain('write 1');
    // Due again, but a write is under way: these two return at once, pending.
    h.tick(2000);
    await h.recorder.record('b2', [changes[1]!], [applied(changes[1]!)]);
    await h.recorder.record('b3', [changes[2]!], [applied(changes[2]!)]);
    expect(h.written).toHaveLength(1);
    h.release();
    await slow;
    const end = await h.recorder.finish();
    expect(end.ids).toHaveLength(3);
    expect(h.steps.filter((s) => s.startsWith('checkpoint'))).toEqual(['checkpoint b1', 'checkpoint b2,b3']);
  });

  it('lets batches that finish together share one audit append (group commit)', async () => {
    const h = harness(1000);
    const changes = Array.from({ length: 3 }, (_, i) => change(i));
    await Promise.all(changes.map((c, i) => h.recorder.record(`b${i + 1}`, [c], [applied(c)])));
    expect(h.steps).toEqual(['audit u0,u1,u2', 'complete b1', 'complete b2', 'complete b3']);
    expect(h.recorder.stats.auditAppends).toBe(1);
    expect((await h.recorder.finish()).head).toBe(3);
  });

  it('records unsent changes without a journal record, and folds the final touch into the last write', async () => {
    const h = harness(1000);
    const [a, b] = [change(1), change(2)];
    await h.recorder.record('b1', [a], [applied(a)]);
    await h.recorder.record(undefined, [b], [{ changeId: b.id, status: 'skipped', message: 'not reached' }]);
    const end = await h.recorder.finish((s) => ({ ...s, ids: [...s.ids, 'facts'] }));
    expect(end.ids).toEqual([a.id, 'facts']);
    expect(h.steps.filter((s) => s.startsWith('complete'))).toEqual(['complete b1']);
    expect(h.steps.slice(-2)).toEqual(['write 2', 'checkpoint b1']);
    expect(h.recorder.stats).toMatchObject({ stateWrites: 1, auditAppends: 2, journalAppends: 1 });
  });
});
