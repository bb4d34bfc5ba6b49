import { describe, expect, it } from '@jest/globals';
import { splitMarkdown } from '../../src/render/split-markdown.js';
import { openBlocks } from './markdown-check.js';

const lines = (n: number, make: (i: number) => string): string[] =>
  Array.from({ length: n }, (_, i) => make(i));

function expectSafe(parts: string[], limit: number): void {
  parts.forEach((part, i) => {
    expect(part.length).toBeLessThanOrEqual(limit);
    expect(part.startsWith(`_(part ${i + 1} of ${parts.length})_\n\n`)).toBe(true);
    expect(openBlocks(part)).toEqual({ fence: false, details: 0 });
  });
}

describe('splitMarkdown', () => {
  it('returns short text untouched', () => {
    expect(splitMarkdown('# hi\n\nshort\n')).toEqual(['# hi\n\nshort\n']);
  });

  it('closes a fence inside details at the cut and reopens both in the next part', () => {
    const body = lines(60, (i) => `+ okta.group["Sales"].member["user${i}@acme.test"] grant`);
    const text = [
      '<details><summary>Okta: 60 changes</summary>',
      '',
      '```diff',
      ...body,
      '```',
      '',
      '</details>',
      '',
    ].join('\n');
    const parts = splitMarkdown(text, 1000);
    expect(parts.length).toBeGreaterThan(1);
    expectSafe(parts, 1000);
    expect(parts[1]).toMatch(
      /^_\(part 2 of \d+\)_\n\n<details><summary>Okta: 60 changes \(continued\)<\/summary>\n\n```diff\n\+ okta/,
    );
    expect(parts[0]).toMatch(/grant\n```\n\n<\/details>\n$/);
    const kept = parts.flatMap((p) => p.split('\n').filter((l) => l.startsWith('+ ')));
    expect(kept).toEqual(body);
  });

  it('repeats a table header in the part that continues the table', () => {
    const rows = lines(80, (i) => `| user${i}@acme.test | ${i} |`);
    const text = ['intro', '', '| Person | Grants |', '| --- | ---: |', ...rows, ''].join('\n');
    const parts = splitMarkdown(text, 800);
    expectSafe(parts, 800);
    for (const part of parts.slice(1)) {
      expect(part).toMatch(/^_\(part \d+ of \d+\)_\n\n\| Person \| Grants \|\n\| --- \| ---: \|\n\| user/);
    }
  });

  it('prefers a blank line to cutting a paragraph in the middle', () => {
    const para = (n: number): string[] => lines(5, (i) => `paragraph ${n} line ${i} ${'x'.repeat(30)}`);
    const text = lines(12, (n) => [...para(n), ''].join('\n')).join('\n');
    const parts = splitMarkdown(text, 1500);
    expect(parts.length).toBeGreaterThan(1);
    expectSafe(parts, 1500);
    for (const part of parts) expect(part.trimEnd().split('\n').at(-1)).toMatch(/line 4/);
  });

  it('keeps a longer fence open across a line that only looks like a closing fence', () => {
    const text = [
      '````md',
      ...lines(40, (i) => (i === 5 ? '```' : `line ${i} ${'y'.repeat(40)}`)),
      '````',
      '',
    ].join('\n');
    const parts = splitMarkdown(text, 700);
    expectSafe(parts, 700);
    for (const part of parts.slice(1)) expect(part).toMatch(/^_\(part \d+ of \d+\)_\n\n````md\n/);
  });

  it('cuts a single line longer than a part', () => {
    const parts = splitMarkdown(`${'z'.repeat(2500)}\n`, 1000);
    expectSafe(parts, 1000);
    expect(parts.map((p) => p.split('\n').slice(2).join('')).join('')).toBe('z'.repeat(2500));
  });

  it('refuses a limit too small to hold the closing and reopening', () => {
    expect(() => splitMarkdown('x'.repeat(500), 50)).toThrow(RangeError);
  });
});
