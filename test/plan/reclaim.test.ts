/**
 * Issue 14, item 5 (UC-08): orphans (active users no person claims) and users idle past
 * `lifecycle.inactivity` are reported, frozen or offboarded as the policy says, behind the
 * protected accounts and the deprovision cap, and each plan after is empty.
 */
import { describe, expect, it } from '@jest/globals';
import type { AccessRule, Lifecycle } from '../../src/policy/types.js';
import type { Guardrails } from '../../src/policy/types.js';
import {
  lines,
  makePolicy,
  NOW,
  okta,
  plan,
  psAddr,
  salesforce,
  sfUserAddr,
  snapshots,
  type UserSpec,
} from '../support/builders.js';

const ANA = 'ana.lopez@acme.test';
const GHOST = 'ghost@acme.test';
const sales: AccessRule = {
  id: 'sales',
  when: { oktaGroup: 'Sales' },
  grants: { prod: { profile: 'Sales User', permissionSets: ['Sales_Cloud_User'] } },
};
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();
const user = (username: string, over: Partial<UserSpec> = {}): UserSpec => ({
  username,
  federationId: username === GHOST ? null : username,
  profile: 'Sales User',
  permissionSets: ['Sales_Cloud_User'],
  ...over,
});
// Records of leavers go to a fixed user, so an orphan (no manager) has somewhere to send them.
const toOps: Lifecycle = {
  salesforce: { prod: { transfer: { objects: ['Account'], to: ['manager', { user: 'ops@acme.test' }] } } },
};
const run = (lifecycle: Lifecycle, users: UserSpec[], guardrails: Guardrails = {}) =>
  plan(
    makePolicy({ access: [sales], lifecycle: { ...toOps, ...lifecycle }, guardrails }),
    snapshots({
      okta: okta([
        { login: ANA, groups: ['Sales'] },
        { login: 'ops@acme.test', groups: ['Sales'] },
      ]),
      salesforce: [salesforce('prod', [user(ANA), user('ops@acme.test'), ...users])],
    }),
  );

describe('UC-08 orphans', () => {
  it('are reported by default, and nothing changes', () => {
    const p = run({}, [user(GHOST)]);
    expect(lines(p)).toEqual([]);
    expect(p.findings.map((f) => f.message)).toContain(
      `${GHOST} is active in prod (license Salesforce) but matches no person`,
    );
  });

  it('freeze: the login is frozen, for nobody, and the next plan is empty', () => {
    const p = run({ orphans: 'freeze' }, [user(GHOST)]);
    expect(lines(p)).toEqual([`freeze ${sfUserAddr('prod', GHOST)}`]);
    expect(p.changes[0]!.person).toBeUndefined();
    expect(p.changes[0]!.reason).toEqual({
      rule: 'lifecycle.orphans',
      source: 'orphan: active in prod (license Salesforce) but matches no person',
    });
    expect(lines(run({ orphans: 'freeze' }, [user(GHOST, { frozen: true })]))).toEqual([]);
  });

  it('deactivate: offboarded like a leaver, records to the fixed recipient; then nothing', () => {
    const p = run({ orphans: 'deactivate' }, [user(GHOST)]);
    expect(lines(p)).toEqual(
      expect.arrayContaining([
        `freeze ${sfUserAddr('prod', GHOST)}`,
        `revoke ${psAddr('prod', GHOST, 'Sales_Cloud_User')}`,
        `deactivate ${sfUserAddr('prod', GHOST)}`,
      ]),
    );
    expect(
      p.changes
        .filter((c) => c.action === 'transfer')
        .every((c) => JSON.stringify(c.after).includes('ops@acme.test')),
    ).toBe(true);
    expect(
      lines(
        run({ orphans: 'deactivate' }, [user(GHOST, { isActive: false, frozen: true, permissionSets: [] })]),
      ),
    ).toEqual([]);
  });

  it('leave protected accounts alone, and count against the deprovision cap', () => {
    const protectedRun = run({ orphans: 'deactivate' }, [user(GHOST)], { protectedAccounts: ['ghost@*'] });
    expect(lines(protectedRun)).toEqual([]);
    const capped = run(
      { orphans: 'deactivate' },
      [user(GHOST), user('ghost.2@acme.test', { federationId: null })],
      {
        maxDeprovision: { absolute: 1 },
      },
    );
    expect(capped.blocked).toBe(true);
  });
});

describe('inactivity', () => {
  const idle = (days: number | null) =>
    user(ANA, { fields: days === null ? {} : { LastLoginDate: daysAgo(days) } });
  const runIdle = (action: 'report' | 'freeze' | 'deactivate', u: UserSpec) =>
    plan(
      makePolicy({ access: [sales], lifecycle: { ...toOps, inactivity: { afterDays: 90, action } } }),
      snapshots({
        okta: okta([
          { login: ANA, groups: ['Sales'] },
          { login: 'ops@acme.test', groups: ['Sales'] },
        ]),
        salesforce: [salesforce('prod', [u, user('ops@acme.test')])],
      }),
    );

  it.each([
    ['recent login', 30, []],
    ['never logged in (a new user has not yet)', null, []],
  ] as const)('%s: nothing', (_, days, expected) => {
    expect(lines(runIdle('freeze', idle(days)))).toEqual(expected);
  });

  it('report: a finding, no change', () => {
    const p = runIdle('report', idle(200));
    expect(lines(p)).toEqual([]);
    expect(p.findings.filter((f) => f.code === 'inactive-user').map((f) => f.message)).toEqual([
      `${ANA} in prod: no login for 200 days (last ${daysAgo(200).slice(0, 10)}); its licence could be reclaimed`,
    ]);
  });

  it('freeze: the idle user is frozen though entitled, and stays so', () => {
    const p = runIdle('freeze', idle(200));
    expect(lines(p)).toEqual([`freeze ${sfUserAddr('prod', ANA)}`]);
    expect(p.changes[0]!.reason.rule).toBe('lifecycle.inactivity');
    expect(p.changes[0]!.person).toBe(ANA);
    expect(lines(runIdle('freeze', { ...idle(200), frozen: true }))).toEqual([]);
  });

  it('deactivate: offboarded, and never reactivated while idle', () => {
    expect(lines(runIdle('deactivate', idle(200)))).toEqual(
      expect.arrayContaining([`deactivate ${sfUserAddr('prod', ANA)}`]),
    );
    expect(
      lines(runIdle('deactivate', { ...idle(200), isActive: false, frozen: true, permissionSets: [] })),
    ).toEqual([]);
  });
});
