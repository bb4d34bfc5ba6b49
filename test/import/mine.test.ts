/**
 * UC-27 role mining, the pure part: which candidates explain a set of holders, by precision and
 * coverage, greedily, and which intersections of two candidates are worth offering.
 */
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_THRESHOLDS, mine, withPairs, type Candidate } from '../../src/import/mine.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const group = (label: string, members: number[]): Candidate => ({
  label,
  condition: { oktaGroup: label },
  terms: 1,
  members: new Set(members),
});

describe('UC-27 mine: precision = |holders ∩ members| / |members|, coverage = |holders ∩ members| / |holders|', () => {
  const cases: {
    name: string;
    holders: number[];
    candidates: Candidate[];
    thresholds?: { minPrecision: number; minCoverage: number };
    rules: { label: string; precision: number; coverage: number }[];
    unexplained: number[];
  }[] = [
    {
      name: 'one exact group explains everyone',
      holders: range(0, 10),
      candidates: [group('Sales', range(0, 10)), group('Everyone', range(0, 100))],
      rules: [{ label: 'Sales', precision: 1, coverage: 1 }],
      unexplained: [],
    },
    {
      name: 'a group with a few members lacking the grant still explains it (precision 0.95)',
      holders: range(0, 19),
      candidates: [group('Sales', range(0, 20))],
      rules: [{ label: 'Sales', precision: 0.95, coverage: 1 }],
      unexplained: [],
    },
    {
      name: 'too imprecise a group explains nothing: its holders stay individual',
      holders: range(0, 8),
      candidates: [group('Everyone', range(0, 10))],
      rules: [],
      unexplained: range(0, 8),
    },
    {
      name: 'greedy: the biggest explanation first, then the next one of the remainder',
      holders: [...range(0, 30), ...range(100, 110)],
      candidates: [group('Sales', range(0, 30)), group('Globex Sales', range(100, 110))],
      rules: [
        { label: 'Sales', precision: 1, coverage: 0.75 },
        { label: 'Globex Sales', precision: 1, coverage: 0.25 },
      ],
      unexplained: [],
    },
    {
      name: 'coverage is judged on the unexplained remainder: a hand-made tail stays individual',
      holders: [...range(0, 30), 200, 201, 202],
      candidates: [group('Sales', range(0, 30)), group('Tiny', [200])],
      rules: [
        { label: 'Sales', precision: 1, coverage: 30 / 33 },
        // 1 of the 3 left is 33% < 50%: not a rule.
      ],
      unexplained: [200, 201, 202],
    },
    {
      name: 'lower thresholds let a looser group in',
      holders: range(0, 8),
      candidates: [group('Everyone', range(0, 10))],
      thresholds: { minPrecision: 0.8, minCoverage: 0.5 },
      rules: [{ label: 'Everyone', precision: 0.8, coverage: 1 }],
      unexplained: [],
    },
  ];
  it.each(cases)('$name', ({ holders, candidates, thresholds, rules, unexplained }) => {
    const mined = mine(new Set(holders), candidates, thresholds ?? DEFAULT_THRESHOLDS);
    expect(
      mined.rules.map((r) => ({ label: r.candidate.label, precision: r.precision, coverage: r.coverage })),
    ).toEqual(rules);
    expect(mined.unexplained).toEqual(unexplained);
  });

  it('holders already explained elsewhere need no rule (org access, which every rule grants)', () => {
    const mined = mine(
      new Set(range(0, 10)),
      [group('Sales', range(0, 10))],
      DEFAULT_THRESHOLDS,
      new Set(range(0, 10)),
    );
    expect(mined.rules).toEqual([]);
    expect(mined.unexplained).toEqual([]);
  });

  it('over an existing policy: members it already gives the grant count for precision, not as holders', () => {
    // Finance: 20 members; the existing policy gives 15 of them the set, 4 more hold it by hand.
    const finance = group('Finance', range(0, 20));
    const residual = new Set(range(15, 19));
    const alone = mine(residual, [finance], DEFAULT_THRESHOLDS);
    expect(alone.rules).toEqual([]); // 4 of 20: far too imprecise on its own
    const over = mine(residual, [finance], DEFAULT_THRESHOLDS, new Set(), new Set(range(0, 15)));
    expect(over.rules.map((r) => [r.candidate.label, r.precision, r.coverage, r.explained])).toEqual([
      ['Finance', 19 / 20, 1, 4],
    ]);
    expect(over.unexplained).toEqual([]);
    // Neutral members alone never make a rule: there must be someone to explain.
    expect(
      mine(new Set([99]), [finance], DEFAULT_THRESHOLDS, new Set(), new Set(range(0, 20))).rules,
    ).toEqual([]);
  });
});

describe('UC-27 withPairs: intersections sharper than either half', () => {
  it('offers Sales & EMEA when the grant is held by EMEA sellers only, and mining picks it', () => {
    const sales = group('okta:Sales', range(0, 40));
    const emea = group('okta:EMEA', [...range(30, 40), ...range(60, 90)]);
    const holders = new Set(range(30, 40));
    const candidates = withPairs([sales, emea], holders);
    expect(candidates.map((c) => c.label)).toEqual(['okta:Sales', 'okta:EMEA', 'okta:EMEA & okta:Sales']);
    const mined = mine(holders, candidates, DEFAULT_THRESHOLDS);
    expect(mined.rules.map((r) => [r.candidate.label, r.precision, r.coverage])).toEqual([
      ['okta:EMEA & okta:Sales', 1, 1],
    ]);
    expect(mined.rules[0]!.candidate.condition).toEqual({
      all: [{ oktaGroup: 'okta:EMEA' }, { oktaGroup: 'okta:Sales' }],
    });
  });

  it('offers no pair that is one of its halves (a subset) or no sharper', () => {
    const sales = group('Sales', range(0, 40));
    const managers = group('Managers', range(0, 4));
    expect(withPairs([sales, managers], new Set(range(0, 4))).map((c) => c.label)).toEqual([
      'Sales',
      'Managers',
    ]);
  });
});
