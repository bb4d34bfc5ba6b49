import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { jsonChunks } from '../../src/model/json-chunks.js';

const joined = (value: unknown, options?: { depth?: number; chunkChars?: number }) =>
  Array.from(jsonChunks(value, options)).join('');

describe('jsonChunks', () => {
  it('spells exactly what JSON.stringify spells, at any depth and chunk size (property)', () => {
    const value = fc.oneof(
      fc.jsonValue(),
      // What JSON.stringify leaves out or rewrites: undefined, functions, Dates (toJSON).
      fc.dictionary(
        fc.string(),
        fc.oneof(
          fc.constant(undefined),
          fc.constant(() => 1),
          fc.date({ noInvalidDate: true }),
          fc.jsonValue(),
        ),
      ),
      fc.array(fc.oneof(fc.constant(undefined), fc.date({ noInvalidDate: true }), fc.jsonValue())),
    );
    fc.assert(
      fc.property(
        value,
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 64 }),
        (v, depth, chunkChars) => {
          expect(joined(v, { depth, chunkChars })).toBe(JSON.stringify(v));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('yields nothing for what JSON.stringify spells as undefined', () => {
    expect(Array.from(jsonChunks(undefined))).toEqual([]);
    expect(Array.from(jsonChunks(() => 1))).toEqual([]);
  });

  it('never holds a large value as one string: chunks stay near their size', () => {
    const users = Array.from({ length: 20_000 }, (_, i) => ({
      id: `u${i}`,
      profile: { login: `p${i}@x.test` },
    }));
    const chunks = Array.from(jsonChunks({ okta: { base: { users } } }, { chunkChars: 1 << 14 }));
    expect(chunks.length).toBeGreaterThan(20);
    expect(chunks.reduce((most, c) => Math.max(most, c.length), 0)).toBeLessThan((1 << 14) + 200);
    expect(chunks.join('')).toBe(JSON.stringify({ okta: { base: { users } } }));
  });
});
