/**
 * Mirrors found by import (src/import/mirrors.ts), on hand-made snapshots: which pairs qualify,
 * which way they go, and that only exact ones (no membership change when declared) are written.
 */
import { describe, expect, it } from '@jest/globals';
import { compile } from '../../src/compile/compile.js';
import { findMirrors } from '../../src/import/mirrors.js';
import { emptyState } from '../../src/model/state.js';
import type { Snapshots } from '../../src/model/snapshot.js';
import type { Policy } from '../../src/policy/policy.js';
import { makePolicy, okta, onelogin, snapshots, type PersonSpec } from '../support/builders.js';

const policy = makePolicy({ platforms: { okta: {}, onelogin: {}, salesforce: { prod: {} } } });

const found = (s: Snapshots, p: Policy = policy, minAgreement = 0.95) => {
  const { people } = compile(p, s, emptyState(), { today: '2026-11-23' });
  const ids = new Set<string>();
  return findMirrors(p, s, people, {
    minAgreement,
    uniqueId: (base) => {
      let id = base;
      for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
      ids.add(id);
      return id;
    },
  });
};

const person = (login: string, groups: string[], status?: PersonSpec['status']): PersonSpec => ({
  login,
  groups,
  ...(status ? { status } : {}),
});

describe('findMirrors', () => {
  it('writes an exact pair from the home directory of its people, the closer name winning a tie', () => {
    const people = ['ann', 'bob', 'cat'].map((n) => `${n}@acme.test`);
    const s = snapshots({
      okta: okta(people.map((l) => person(l, ['Sales', 'Sales Copy']))),
      onelogin: onelogin(people.map((l) => person(l, ['Sales']))),
    });
    const { mirrors, report } = found(s);
    expect(mirrors).toEqual([
      {
        id: 'okta-groups-to-onelogin',
        direction: 'okta-to-onelogin',
        mode: 'authoritative',
        pairs: [{ okta: 'Sales', onelogin: 'Sales' }],
      },
    ]);
    expect(report).toEqual([
      expect.objectContaining({ okta: 'Sales', onelogin: 'Sales', agreement: 1, common: 3, changes: [] }),
    ]);
  });

  it('a pair that differs is reported with what declaring it would change, and not written', () => {
    const logins = Array.from({ length: 20 }, (_, i) => `p${i}@acme.test`);
    const s = snapshots({
      // p0 has left (DEPROVISIONED) but is still in both: a mirror would take them out of the role.
      okta: okta(logins.map((l, i) => person(l, ['Support'], i === 0 ? 'deprovisioned' : undefined))),
      onelogin: onelogin(logins.map((l) => person(l, ['Support']))),
    });
    const { mirrors, report } = found(s);
    expect(mirrors).toEqual([]);
    expect(report).toEqual([
      {
        okta: 'Support',
        onelogin: 'Support',
        direction: 'okta-to-onelogin',
        agreement: 1,
        common: 20,
        people: 20,
        changes: ['revoke onelogin.role["Support"].member["p0@acme.test"]'],
      },
    ]);
  });

  it('below the agreement, or with fewer than two people in common, nothing is reported', () => {
    const logins = Array.from({ length: 10 }, (_, i) => `p${i}@acme.test`);
    const s = snapshots({
      okta: okta(logins.map((l, i) => person(l, i < 9 ? ['Finance'] : ['Solo']))),
      onelogin: onelogin(logins.map((l, i) => person(l, i > 0 ? ['Finance'] : ['Solo']))),
    });
    // Finance: 8 in both of 10 in either; Solo: nobody in both.
    expect(found(s).report).toEqual([]);
    const loose = found(s, policy, 0.8);
    expect(loose.report.map((r) => [r.okta, r.agreement, r.changes.length])).toEqual([['Finance', 0.8, 2]]);
    expect(loose.mirrors).toEqual([]);
  });
});
