/** UC-17: the `mfa` condition, its grace by calendar day, and the report of who lacks MFA since when. */
import { describe, expect, it } from '@jest/globals';
import { compile } from '../../src/compile/compile.js';
import { matches } from '../../src/compile/conditions.js';
import { mfaGaps } from '../../src/compile/mfa.js';
import { planWithFacts } from '../../src/plan/plan.js';
import type { AccountFactors } from '../../src/model/snapshot.js';
import { emptyState } from '../../src/model/state.js';
import { snapshotScope } from '../../src/providers/scope.js';
import type { Condition } from '../../src/policy/types.js';
import { accountId, makePolicy, okta, salesforce, snapshots } from '../support/builders.js';

const OVERDUE: Condition = { mfa: { enrolled: false, graceDays: 14 } };
const policy = makePolicy({
  access: [
    {
      id: 'restricted',
      when: OVERDUE,
      grants: { prod: { profile: 'Standard User', permissionSets: ['MFA_Restricted'] } },
    },
    {
      id: 'enrolled',
      when: { mfa: { enrolled: true } },
      grants: { prod: { permissionSets: ['Report_Builder'] } },
    },
  ],
});

/** Activated 2026-11-01 at 15:00 UTC; today varies. */
const ACTIVATED = '2026-11-01T15:00:00.000Z';
const people = ['enrolled', 'pending', 'none', 'unread', 'created-only'].map((n) => ({
  login: `${n}@acme.test`,
}));
const factors: Record<string, AccountFactors> = {
  [accountId('okta', 'enrolled@acme.test')]: { active: ['push'], graceFrom: ACTIVATED },
  [accountId('okta', 'pending@acme.test')]: { active: [], graceFrom: ACTIVATED },
  [accountId('okta', 'none@acme.test')]: { active: [], graceFrom: ACTIVATED },
  [accountId('okta', 'created-only@acme.test')]: { active: [], graceFrom: null },
};
const snaps = snapshots({ okta: { ...okta(people), factors }, salesforce: [salesforce('prod', [])] });

const holding = (condition: Condition, today: string) =>
  compile(policy, snaps, emptyState(), { today })
    .people.filter((p) => matches(condition, p.facts))
    .map((p) => p.key.split('@')[0]);

describe('UC-17 the mfa condition', () => {
  it.each<[string, string, string[]]>([
    // Day 0 is 2026-11-01 (whatever the hour); day 14 is the grace's last day.
    ['within the grace (day 14)', '2026-11-15', []],
    ['the first day past the grace (day 15)', '2026-11-16', ['none', 'pending']],
  ])('UC-17 enrolled: false, graceDays 14, %s', (_, today, expected) => {
    expect(holding(OVERDUE, today).sort()).toEqual(expected);
    const desired = compile(policy, snaps, emptyState(), { today });
    const granted = desired.salesforce.flatMap((d) =>
      d.permissionSets.some((g) => g.name === 'MFA_Restricted') ? [d.person.split('@')[0]] : [],
    );
    expect(granted.sort()).toEqual(expected);
  });

  it('UC-17 enrolled: true holds only with an ACTIVE factor; unread accounts are neither', () => {
    expect(holding({ mfa: { enrolled: true } }, '2026-12-01')).toEqual(['enrolled']);
    expect(holding({ mfa: { enrolled: false } }, '2026-12-01').sort()).toEqual(['none', 'pending']);
    // A grace start nobody knows never runs out; such a person is still reported.
    expect(holding({ mfa: { enrolled: false } }, '2026-12-01')).not.toContain('created-only');
  });

  it('UC-17 reports who lacks MFA, since when, and when the grace ends, as info findings', () => {
    const today = '2026-11-10';
    const desired = compile(policy, snaps, emptyState(), { today });
    expect(mfaGaps(policy, snaps, desired.people)).toEqual([
      {
        person: 'created-only@acme.test',
        platform: 'okta',
        status: 'active',
        since: null,
        days: null,
        graceDays: 14,
        graceEnds: null,
        overdue: false,
        rules: [],
      },
      ...['none', 'pending'].map((n) => ({
        person: `${n}@acme.test`,
        platform: 'okta',
        status: 'active',
        since: ACTIVATED,
        days: 9,
        graceDays: 14,
        graceEnds: '2026-11-16',
        overdue: false,
        rules: [],
      })),
    ]);
    const findings = desired.findings.filter((f) => f.code === 'no-mfa');
    expect(findings.map((f) => f.message)).toContain(
      'no active MFA factor in okta since 2026-11-01 (9 days); grace of 14 days ends 2026-11-16',
    );
    expect(findings.every((f) => f.severity === 'info')).toBe(true);
  });

  it('UC-17 asks the snapshot for Okta factors only when a condition tests mfa', () => {
    expect(snapshotScope(policy).oktaFactors).toBe(true);
    expect(snapshotScope(makePolicy()).oktaFactors).toBeUndefined();
    const onelogin = makePolicy({ identity: { source: 'onelogin' }, access: policy.access });
    expect(snapshotScope(onelogin).oktaFactors).toBeUndefined();
  });

  it('UC-17 OneLogin: asks for OneLogin devices only when OneLogin owns people and a condition tests mfa', () => {
    const onelogin = makePolicy({ identity: { source: 'onelogin' }, access: policy.access });
    expect(snapshotScope(onelogin).oneloginFactors).toBe(true);
    expect(snapshotScope(policy).oneloginFactors).toBeUndefined();
    expect(snapshotScope(makePolicy({ identity: { source: 'onelogin' } })).oneloginFactors).toBeUndefined();
  });
});

describe('UC-17 the grace running out is lifecycle, not drift', () => {
  // Drift tells lifecycle from an edit outside Git by the people's facts digests (plan/drift.ts):
  // the day a grace ends, nobody's directory moved, but what the mfa condition sees did.
  const digests = (today: string) =>
    planWithFacts(policy, snaps, emptyState(), { now: new Date(`${today}T12:00:00Z`) }).facts();

  it("UC-17 an unenrolled person's digest moves the day past the grace, and only then", () => {
    const [day13, day14, day15, day16] = ['2026-11-14', '2026-11-15', '2026-11-16', '2026-11-17'].map(
      digests,
    );
    expect(day14!['none@acme.test']).toBe(day13!['none@acme.test']);
    expect(day15!['none@acme.test']).not.toBe(day14!['none@acme.test']);
    expect(day16!['none@acme.test']).toBe(day15!['none@acme.test']);
    // Enrolled people's facts do not move with time.
    expect(day15!['enrolled@acme.test']).toBe(day14!['enrolled@acme.test']);
  });
});
