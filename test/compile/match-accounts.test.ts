/**
 * Identity matching walks accounts against people indexes. Property: it decides exactly what the
 * plain reading of UC-13 decides, person by person (first key with candidates; one candidate is a
 * claim, several are ambiguous, and a later key of theirs alone that points at another account is
 * a disagreement; an account claimed twice is contested; explicit links win).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { matchAccounts, type KeyIndex } from '../../src/compile/resolve-identities.js';
import type { MatchKey } from '../../src/policy/types.js';

const KEYS: MatchKey[] = ['federationId', 'employeeNumber', 'email'];
type Values = Partial<Record<MatchKey, string>>;
interface Case {
  people: { values: Values; link?: number | null }[];
  accounts: Values[];
}

// Few distinct values, so that shared values (ambiguity, contest) are common.
const values = fc.record(
  {
    federationId: fc.constantFrom('f1', 'f2', 'f3'),
    employeeNumber: fc.constantFrom('e1', 'e2'),
    email: fc.constantFrom('m1', 'm2', 'm3'),
  },
  { requiredKeys: [] },
);
const cases = fc
  .record({
    accounts: fc.array(values, { maxLength: 6 }),
    people: fc.array(fc.record({ values, link: fc.option(fc.nat(5), { nil: undefined }) }), { maxLength: 6 }),
  })
  .map(({ accounts, people }): Case => ({
    accounts,
    people: people.map((p) => ({
      values: p.values,
      ...(p.link !== undefined ? { link: p.link < accounts.length ? p.link : null } : {}),
    })),
  }));

/** The plain reading, one person at a time. */
function reference({ people, accounts }: Case) {
  const matched: (number | undefined)[] = people.map((p) =>
    p.link === undefined || p.link === null ? undefined : p.link,
  );
  const explicit = new Set(people.flatMap((p) => (typeof p.link === 'number' ? [p.link] : [])));
  const conflicts: string[] = [];
  const claims = new Map<number, { person: number; key: MatchKey }[]>();
  people.forEach((p, i) => {
    if (p.link !== undefined) return;
    for (const key of KEYS) {
      const v = p.values[key];
      if (v === undefined) continue;
      const candidates = accounts.flatMap((a, at) => (a[key] === v && !explicit.has(at) ? [at] : []));
      if (candidates.length === 0) continue;
      if (candidates.length > 1)
        conflicts.push(
          `ambiguous p${i} ${key} ${candidates
            .map((at) => `a${at}`)
            .sort()
            .join(',')}`,
        );
      else {
        // A later key held by this person alone that points at another account: the keys disagree.
        const first = candidates[0]!;
        const hits = [{ key, at: first }];
        for (const later of KEYS.slice(KEYS.indexOf(key) + 1)) {
          const w = p.values[later];
          if (w === undefined || people.filter((q) => q.values[later] === w).length !== 1) continue;
          accounts.forEach((a, at) => {
            if (a[later] === w && !explicit.has(at) && !hits.some((h) => h.at === at))
              hits.push({ key: later, at });
          });
        }
        if (hits.length > 1)
          conflicts.push(
            `disagreement p${i} ${hits.map((h) => h.key).join(', ')} ${hits.map((h) => `a${h.at}`).join(',')}`,
          );
        else claims.set(first, [...(claims.get(first) ?? []), { person: i, key }]);
      }
      break;
    }
  });
  for (const [at, list] of claims) {
    if (list.length === 1) matched[list[0]!.person] = at;
    else
      for (const c of list)
        conflicts.push(
          `contested p${c.person} ${c.key} ${list
            .map((l) => `p${l.person}`)
            .sort()
            .join(',')}`,
        );
  }
  return { matched, conflicts: conflicts.sort() };
}

function subject({ people, accounts }: Case) {
  const index = (key: MatchKey): KeyIndex => {
    const out = new Map<string, number | number[]>();
    people.forEach((p, i) => {
      const v = p.values[key];
      if (v === undefined) return;
      const hit = out.get(v);
      out.set(v, hit === undefined ? i : typeof hit === 'number' ? [hit, i] : [...hit, i]);
    });
    return out;
  };
  const positions = new Map(accounts.map((a, at) => [a, at]));
  const result = matchAccounts({
    platform: 'salesforce:prod',
    people: people.length,
    accounts,
    order: KEYS,
    personKey: (i) => `p${i}`,
    accountKey: (a) => `a${positions.get(a)}`,
    peopleBy: index,
    accountValue: (a, key) => a[key],
    decided: (i) => {
      const link = people[i]!.link;
      return link === undefined ? undefined : link === null ? null : `a${link}`;
    },
    suggest: (person, account) => ({ person, salesforce: { prod: account } }),
  });
  return {
    matched: result.accounts.map((a) => (a === undefined ? undefined : positions.get(a))),
    conflicts: result.conflicts.map((c) => `${c.kind} ${c.person} ${c.key} ${c.candidates.join(',')}`).sort(),
  };
}

describe('matchAccounts', () => {
  it('decides what the plain reading of UC-13 decides', () => {
    fc.assert(
      fc.property(cases, (c) => expect(subject(c)).toEqual(reference(c))),
      { numRuns: 500 },
    );
  });
});
