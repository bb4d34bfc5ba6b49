import type { Condition } from '../policy/types.js';

/**
 * Role mining (UC-27): which IdP groups and roles explain who holds a Salesforce entitlement.
 * Pure: sets of people in, chosen candidates out. People are numbers (positions in the caller's
 * list of people); the caller decides who counts (the "cared" people of an org) and gives every
 * candidate's members already narrowed to them.
 *
 * For a candidate with members M and the entitlement's holders H:
 *   precision = |H ∩ M| / |M|   (how many of those the rule would give it already have it)
 *   coverage  = |H ∩ M| / |H|   (how much of the grant the rule explains)
 * A candidate is chosen when both reach the thresholds; choosing is greedy: the candidate that
 * explains the most holders not yet explained goes first, and coverage is then measured against
 * the holders still unexplained, until no candidate qualifies. What is left is unexplained: the
 * caller writes it as individual grants.
 */

export interface Thresholds {
  /** Least precision of a rule, 0..1. */
  minPrecision: number;
  /** Least coverage of a rule (of the holders still unexplained when it is chosen), 0..1. */
  minCoverage: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { minPrecision: 0.9, minCoverage: 0.5 };

export interface Candidate {
  /** Stable, human-readable: `okta:Sales`, `okta:Sales & okta:EMEA`. */
  label: string;
  condition: Condition;
  /** 1 for a group or role, 2 for the intersection of two. */
  terms: number;
  members: ReadonlySet<number>;
}

export interface MinedRule {
  candidate: Candidate;
  /** Over all holders, not only those unexplained when chosen. */
  precision: number;
  coverage: number;
  /** Holders among the members. */
  explained: number;
}

export interface Mined {
  rules: MinedRule[];
  /** Holders no chosen candidate has, ascending. */
  unexplained: number[];
}

const overlap = (a: ReadonlySet<number>, b: ReadonlySet<number>): number => {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let n = 0;
  for (const x of small) if (large.has(x)) n++;
  return n;
};

/**
 * Chooses candidates for one entitlement, greedily (see above). `explained`: holders that need no
 * rule of their own (org access, which every rule of the org grants). `neutral`: people who are
 * given it already (by an existing policy): not holders to explain, but members a rule may give
 * it to without loss of precision.
 */
export function mine(
  holders: ReadonlySet<number>,
  candidates: readonly Candidate[],
  t: Thresholds,
  explained: ReadonlySet<number> = new Set(),
  neutral: ReadonlySet<number> = new Set(),
): Mined {
  const remaining = new Set([...holders].filter((h) => !explained.has(h)));
  const rules: MinedRule[] = [];
  const scored = candidates
    .filter((c) => c.members.size > 0)
    .map((c) => ({ c, explained: overlap(c.members, holders), fine: overlap(c.members, neutral) }))
    .filter((s) => s.explained > 0 && (s.explained + s.fine) / s.c.members.size >= t.minPrecision);
  const chosen = new Set<Candidate>();
  while (remaining.size > 0) {
    let best: { c: Candidate; gain: number; precision: number; explained: number } | undefined;
    for (const { c, explained, fine } of scored) {
      if (chosen.has(c)) continue;
      const gain = overlap(c.members, remaining);
      if (gain === 0 || gain / remaining.size < t.minCoverage) continue;
      const precision = (explained + fine) / c.members.size;
      const better =
        !best ||
        gain > best.gain ||
        (gain === best.gain &&
          (precision > best.precision ||
            (precision === best.precision &&
              (c.terms < best.c.terms || (c.terms === best.c.terms && c.label < best.c.label)))));
      if (better) best = { c, gain, precision, explained };
    }
    if (!best) break;
    chosen.add(best.c);
    rules.push({
      candidate: best.c,
      precision: best.precision,
      coverage: best.explained / holders.size,
      explained: best.explained,
    });
    for (const m of best.c.members) remaining.delete(m);
  }
  return { rules, unexplained: [...remaining].sort((a, b) => a - b) };
}

/** How many single candidates are paired with each other at most (the best by holders explained). */
export const MAX_PAIRED = 40;

/**
 * The candidates and the intersections of two of them that are sharper than either alone, for
 * grants like "Sales in EMEA": only pairs of candidates that hold some of the holders, and only
 * intersections more precise than both halves and smaller than each.
 */
export function withPairs(singles: readonly Candidate[], holders: ReadonlySet<number>): Candidate[] {
  const useful = singles
    .map((c) => ({ c, explained: overlap(c.members, holders) }))
    .filter((s) => s.explained > 0)
    .sort((a, b) => b.explained - a.explained || (a.c.label < b.c.label ? -1 : 1))
    .slice(0, MAX_PAIRED);
  const precision = (members: ReadonlySet<number>, explained: number) =>
    members.size === 0 ? 0 : explained / members.size;
  const pairs: Candidate[] = [];
  for (let i = 0; i < useful.length; i++) {
    for (let j = i + 1; j < useful.length; j++) {
      const a = useful[i]!;
      const b = useful[j]!;
      const members = new Set<number>();
      const [small, large] = a.c.members.size <= b.c.members.size ? [a, b] : [b, a];
      for (const m of small.c.members) if (large.c.members.has(m)) members.add(m);
      if (members.size === 0 || members.size === a.c.members.size || members.size === b.c.members.size)
        continue;
      const p = precision(members, overlap(members, holders));
      if (p <= precision(a.c.members, a.explained) || p <= precision(b.c.members, b.explained)) continue;
      const [first, second] = a.c.label <= b.c.label ? [a.c, b.c] : [b.c, a.c];
      pairs.push({
        label: `${first.label} & ${second.label}`,
        condition: { all: [first.condition, second.condition] },
        terms: 2,
        members,
      });
    }
  }
  return [...singles, ...pairs];
}
