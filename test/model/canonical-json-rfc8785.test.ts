/**
 * accord's canonical JSON (model/canonical-json.ts) is RFC 8785 (JCS) in its compact form: the
 * same bytes as the `canonicalize` package, the RFC authors' implementation, for any JSON value.
 * accord keeps its own writer because it also writes the same order indented (state files, for
 * small git diffs) and names the path of a value JSON cannot hold; this test is what lets it.
 */
import { describe, expect, it } from '@jest/globals';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from '../../src/model/canonical-json.js';

describe('canonicalJson is RFC 8785', () => {
  it('agrees with the canonicalize package on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 500, seed: 8785 },
    );
  });

  it('agrees on the RFC’s own hard cases: numbers, key order by UTF-16 code unit, escapes', () => {
    const value = {
      numbers: [333333333.3333333, 1e30, 4.5, 2e-3, 0.000001, 1e-7, -0, 9007199254740992, 5e-324],
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
      literals: [null, true, false],
      string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/',
    };
    expect(canonicalJson(value)).toBe(canonicalize(value));
  });
});
