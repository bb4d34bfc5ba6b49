import { afterEach, describe, expect, it } from '@jest/globals';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStream, eventsLayout, sinkLine } from '../../src/events/stream.js';
import type { NormalizedEvent } from '../../src/events/schema.js';
import { readSink, repeated } from './support.js';

/**
 * UC-18 exactly once, at the level of the files: a pull killed at every byte of a page's append
 * (and between each of the three writes a page takes) leaves, after the next open, every event in
 * the sink exactly once and the cursor at the page's position.
 */
const event = (n: number): NormalizedEvent => ({
  id: `okta:e${n}`,
  source: 'okta',
  sourceId: `e${n}`,
  sourceType: 'user.session.start',
  type: 'auth.login',
  time: new Date(Date.UTC(2026, 11, 1, 0, n)).toISOString(),
  outcome: 'success',
  reason: null,
  actor: { id: `u${n}`, type: 'User', login: `u${n}@acme.test`, name: `U ${n}` },
  target: [],
  client: { ip: null, userAgent: null },
  message: 'ünïcode login',
});

describe('UC-18 the sink and cursor survive a kill at any point', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-stream-'));
    dirs.push(dir);
    return eventsLayout(join(dir, 'x.state.json'));
  };

  const pageA = [event(1), event(2)];
  const pageB = [event(3), event(4), event(5)];

  it('UC-18 a kill anywhere in a page append (each line end, either side of it, mid-line) loses and duplicates nothing', async () => {
    const bytes = Buffer.from(pageB.map(sinkLine).join(''), 'utf8');
    // Every byte would take minutes of fsyncs; these are every kind of place a kill can land.
    const ends = [...bytes.entries()].filter(([, b]) => b === 0x0a).map(([i]) => i);
    const cuts = [
      ...new Set([
        0,
        1,
        ...ends.flatMap((i) => [i - 1, i, i + 1]),
        ...ends.map((i, n) => Math.floor(((n ? ends[n - 1]! : 0) + i) / 2)),
        bytes.length,
      ]),
    ]
      .filter((c) => c >= 0 && c <= bytes.length)
      .sort((a, b) => a - b);
    const outcomes: { lost: number; duplicated: number }[] = [];
    for (const cut of cuts) {
      const layout = fresh();
      const stream = await EventStream.open(layout);
      await stream.deliver('okta', pageA, { after: 'a' });
      // The page's first write (the cursor with the page in flight), as the killed run left it.
      const cursor = JSON.parse(readFileSync(layout.cursor, 'utf8')) as Record<string, unknown>;
      cursor.inflight = { platform: 'okta', position: { after: 'b' }, events: pageB };
      writeFileSync(layout.cursor, JSON.stringify(cursor));
      appendFileSync(layout.sink, bytes.subarray(0, cut));

      const reopened = await EventStream.open(layout);
      const ids = readSink(layout.sink).map((e) => e.id);
      const want = [...pageA, ...pageB].map((e) => e.id);
      outcomes.push({
        lost: want.filter((id) => !ids.includes(id)).length,
        duplicated: repeated(ids).length,
      });
      expect(ids).toEqual(want);
      expect(reopened.position('okta')).toEqual({ after: 'b' });
      const whole = (bytes.subarray(0, cut).toString('utf8').match(/\n/g) ?? []).length;
      expect(reopened.recovered).toEqual({ appended: pageB.length - whole, present: whole });
      // And the next page goes on after it.
      await reopened.deliver('okta', [event(6)], { after: 'c' });
      expect(readSink(layout.sink).map((e) => e.id)).toEqual([...want, 'okta:e6']);
    }
    expect(outcomes.length).toBe(cuts.length);
    expect(cuts.length).toBeGreaterThan(10);
    expect(outcomes.every((o) => o.lost === 0 && o.duplicated === 0)).toBe(true);
  });

  it('UC-18 a kill before the page was announced re-reads it from the old position', async () => {
    const layout = fresh();
    const stream = await EventStream.open(layout);
    await stream.deliver('okta', pageA, { after: 'a' });
    const reopened = await EventStream.open(layout);
    expect(reopened.recovered).toBeUndefined();
    expect(reopened.position('okta')).toEqual({ after: 'a' });
    await reopened.deliver('okta', pageB, { after: 'b' });
    expect(readSink(layout.sink).map((e) => e.id)).toEqual([...pageA, ...pageB].map((e) => e.id));
  });

  it('refuses a sink shorter than the cursor (truncated, not rotated)', async () => {
    const layout = fresh();
    const stream = await EventStream.open(layout);
    await stream.deliver('okta', pageA, { after: 'a' });
    writeFileSync(layout.sink, '');
    await expect(EventStream.open(layout)).rejects.toThrow(/shorter than the cursor/);
  });
});
