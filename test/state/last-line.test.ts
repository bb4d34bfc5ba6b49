/**
 * The audit log's append reads only the end of the log (cutTornTailToLastLine): the same last
 * line and the same cut of a torn tail as reading the whole file, on every shape of file,
 * including lines longer than one read chunk.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { cutTornTail, cutTornTailToLastLine } from '../../src/state/fsync.js';

const dir = mkdtempSync(join(tmpdir(), 'accord-last-line-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fileWith = (text: string) => {
  const path = join(dir, `f${++n}`);
  writeFileSync(path, text);
  return path;
};

/** What reading the whole file gives: its text after the cut, and that text's last line. */
async function whole(text: string): Promise<{ kept: string; last: string }> {
  const kept = await cutTornTail(fileWith(text));
  const lines = kept.split('\n');
  return { kept, last: lines.length >= 2 ? lines.at(-2)! : '' };
}

describe('cutTornTailToLastLine', () => {
  it('is empty for a missing or empty file', async () => {
    expect(await cutTornTailToLastLine(join(dir, 'missing'))).toBe('');
    expect(await cutTornTailToLastLine(fileWith(''))).toBe('');
  });

  it.each([
    ['one line', 'a\n', 'a', 'a\n'],
    ['lines', 'a\nb\nc\n', 'c', 'a\nb\nc\n'],
    ['a torn tail', 'a\nb\n{"seq":3,"ha', 'b', 'a\nb\n'],
    ['only a torn line', '{"seq":1', '', ''],
    ['a blank last line', 'a\n\n', '', 'a\n\n'],
  ])('%s', async (_, text, last, kept) => {
    const path = fileWith(text);
    expect(await cutTornTailToLastLine(path)).toBe(last);
    expect(readFileSync(path, 'utf8')).toBe(kept);
  });

  it('finds a line longer than a read chunk, and a torn tail longer than one', async () => {
    const long = 'x'.repeat(200_000);
    const path = fileWith(`a\n${long}\n${'y'.repeat(150_000)}`);
    expect(await cutTornTailToLastLine(path)).toBe(long);
    expect(readFileSync(path, 'utf8')).toBe(`a\n${long}\n`);
  });

  it('agrees with reading the whole file, for any text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.constant('x'.repeat(70_000))), { maxLength: 6 }),
        fc.boolean(),
        async (parts, torn) => {
          const text = parts.join('\n') + (torn || parts.length === 0 ? '' : '\n');
          const expected = await whole(text);
          const path = fileWith(text);
          const last = await cutTornTailToLastLine(path);
          expect(readFileSync(path, 'utf8')).toBe(expected.kept);
          expect(last).toBe(expected.last);
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });
});
