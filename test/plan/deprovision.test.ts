/** UC-06 deprovision, UC-07 record transfer, UC-09 guard rails, UC-11 cross-deprovision. */
import { describe, expect, it } from '@jest/globals';
import { AccordError } from '../../src/errors.js';
import type { AccessRule, Lifecycle } from '../../src/policy/types.js';
import {
  find,
  idpUserAddr,
  indexOf,
  lines,
  makePolicy,
  memberAddr,
  okta,
  onelogin,
  plan,
  psAddr,
  psgAddr,
  recordsAddr,
  salesforce,
  sfUserAddr,
  snapshots,
  type PersonSpec,
  type UserSpec,
} from '../support/builders.js';

const SAM = 'sam.leaver@acme.test';
const sales: AccessRule = {
  id: 'sales-reps',
  when: { oktaGroup: 'Sales' },
  grants: { prod: { profile: 'Sales User', permissionSets: ['Sales_Cloud_User'] } },
};
const liveSam: UserSpec = {
  username: SAM,
  federationId: SAM,
  profile: 'Sales User',
  permissionSets: ['Sales_Cloud_User'],
  permissionSetGroups: ['Sales_Leadership'],
};
const offboardLines = (username = SAM) => [
  `freeze ${sfUserAddr('prod', username)}`,
  `revoke ${psgAddr('prod', username, 'Sales_Leadership')}`,
  `revoke ${psAddr('prod', username, 'Sales_Cloud_User')}`,
  `deactivate ${sfUserAddr('prod', username)}`,
];

describe('UC-06 deprovision', () => {
  it.each([
    {
      why: 'deprovisioned in Okta',
      spec: { status: 'deprovisioned' as const, groups: ['Sales'] },
      fact: 'left: okta DEPROVISIONED',
      rule: 'lifecycle.statuses.deprovisioned',
    },
    {
      why: 'out of scope',
      spec: { groups: ['Sales', 'Service Accounts'] },
      fact: 'out of scope',
      rule: 'identity.scope',
    },
    {
      why: 'removed from every rule',
      spec: { groups: ['Marketing'] },
      fact: 'no access rule grants prod',
      rule: 'access',
    },
  ])('UC-06 $why → freeze, revoke, deactivate; never delete', ({ spec, fact, rule }) => {
    const p = plan(
      makePolicy({
        access: [sales],
        identity: { source: 'okta', scope: { exclude: [{ oktaGroup: 'Service Accounts' }] } },
      }),
      snapshots({
        okta: okta([
          { login: SAM, ...spec },
          { login: 'stay.here@acme.test', groups: ['Sales'] },
        ]),
        salesforce: [
          salesforce('prod', [
            liveSam,
            {
              username: 'stay.here@acme.test',
              federationId: 'stay.here@acme.test',
              profile: 'Sales User',
              permissionSets: ['Sales_Cloud_User'],
            },
          ]),
        ],
      }),
    );
    expect(lines(p)).toEqual(offboardLines());
    const freeze = find(p, 'freeze', sfUserAddr('prod', SAM));
    const revokes = p.changes.filter((c) => c.action === 'revoke');
    const deactivate = find(p, 'deactivate', sfUserAddr('prod', SAM));
    for (const r of revokes) expect(r.dependsOn).toEqual([freeze.id]);
    expect(deactivate.dependsOn).toEqual([freeze.id, ...revokes.map((r) => r.id)].sort());
    expect(deactivate.before).toEqual({ IsActive: true });
    expect(deactivate.after).toEqual({ IsActive: false });
    expect(deactivate.reason).toEqual({ rule, source: fact });
    expect(p.changes.some((c) => (c.action as string) === 'delete')).toBe(false);
    expect(p.summary.peopleDeprovisioned).toBe(1);
    expect(p.impact.find((i) => i.person === SAM)).toMatchObject({
      deprovisioned: true,
      lost: [
        {
          platform: 'salesforce:prod',
          entitlement: 'permissionSetGroup:Sales_Leadership',
          rule,
        },
        { platform: 'salesforce:prod', entitlement: 'permissionSet:Sales_Cloud_User', rule },
        { platform: 'salesforce:prod', entitlement: 'account', rule },
      ],
    });
  });

  it.each([
    {
      name: 'freeze only',
      off: { freeze: true, deactivate: false, revokePermissionSets: false },
      expected: [`freeze ${sfUserAddr('prod', SAM)}`],
    },
    {
      name: 'deactivate without freeze, keep permission sets',
      off: { freeze: false, deactivate: true, revokePermissionSets: false },
      expected: [`deactivate ${sfUserAddr('prod', SAM)}`],
    },
    { name: 'an org entry overrides *', off: undefined, expected: [`freeze ${sfUserAddr('prod', SAM)}`] },
  ])('UC-06 lifecycle settings: $name', ({ off, expected }) => {
    const lifecycle: Lifecycle = off
      ? { salesforce: { '*': off } }
      : {
          salesforce: {
            '*': { freeze: false, deactivate: true },
            prod: { freeze: true, deactivate: false, revokePermissionSets: false },
          },
        };
    const p = plan(
      makePolicy({ access: [sales], lifecycle }),
      snapshots({
        okta: okta([{ login: SAM, status: 'deprovisioned' }]),
        salesforce: [salesforce('prod', [liveSam])],
      }),
    );
    expect(lines(p)).toEqual(expected);
  });

  it('UC-06 an already frozen user is not frozen again, an inactive one is left alone', () => {
    const frozen = plan(
      makePolicy({ access: [sales] }),
      snapshots({
        okta: okta([{ login: SAM, status: 'deprovisioned' }]),
        salesforce: [salesforce('prod', [{ ...liveSam, frozen: true }])],
      }),
    );
    expect(lines(frozen)).toEqual(offboardLines().slice(1));
    const inactive = plan(
      makePolicy({ access: [sales] }),
      snapshots({
        okta: okta([{ login: SAM, status: 'deprovisioned' }]),
        salesforce: [salesforce('prod', [{ ...liveSam, isActive: false }])],
      }),
    );
    expect(lines(inactive)).toEqual([]);
  });

  it('UC-06 a returning person is reactivated and thawed (activate, not create)', () => {
    const p = plan(
      makePolicy({ access: [sales] }),
      snapshots({
        okta: okta([{ login: SAM, groups: ['Sales'] }]),
        salesforce: [
          salesforce('prod', [
            { ...liveSam, isActive: false, frozen: true, permissionSets: [], permissionSetGroups: [] },
          ]),
        ],
      }),
    );
    expect(lines(p)).toEqual([
      `activate ${sfUserAddr('prod', SAM)}`,
      `freeze ${sfUserAddr('prod', SAM)}`,
      `grant ${psAddr('prod', SAM, 'Sales_Cloud_User')}`,
    ]);
    const [activate, thaw, grant] = p.changes;
    expect(activate!.after).toEqual({ IsActive: true });
    expect(thaw!.before).toEqual({ frozen: true });
    expect(thaw!.after).toEqual({ frozen: false });
    expect(thaw!.dependsOn).toEqual([activate!.id]);
    expect(grant!.dependsOn).toEqual([thaw!.id]);
  });

  // Regression (fixed; src/plan/guardrails.ts deprovisionCap, `OFFBOARDING = new Set(['deactivate', 'suspend',
  // 'freeze'])`): since thawing is planned as action `freeze` with after { frozen: false }
  // (diff-salesforce.ts, "The provider's freeze with `frozen: false` thaws the login"), a person who is
  // entitled again and only needs a thaw is counted as deprovisioned: summary.peopleDeprovisioned is
  // 1 instead of 0, and such thaws count against maxDeprovision (a plan that only restores people can
  // be blocked).
  it('UC-06 a thaw of a returning person is not counted as a deprovision', () => {
    const p = plan(
      makePolicy({ access: [sales], guardrails: { maxDeprovision: { absolute: 0 } } }),
      snapshots({
        okta: okta([{ login: SAM, groups: ['Sales'] }]),
        salesforce: [salesforce('prod', [{ ...liveSam, frozen: true, permissionSetGroups: [] }])],
      }),
    );
    expect(lines(p)).toEqual([`freeze ${sfUserAddr('prod', SAM)}`]);
    expect(p.summary.peopleDeprovisioned).toBe(0);
    expect(p.blocked).toBe(false);
  });

  // A locked-out Okta account (LOCKED_OUT: too many failed passwords) is a temporary state, not a
  // departure. UC-06 lists deactivated, suspended or deleted. The planner treats `locked` like a
  // leaver: desired-salesforce.ts sets `entitled = p.inScope && p.active && ...` and
  // `active = status === 'active'` (people.ts), so a locked user with a live Salesforce account is
  // frozen, stripped of permission sets and deactivated.
  it('UC-06 a locked-out (not departed) Okta account is not deprovisioned', () => {
    const p = plan(
      makePolicy({ access: [sales] }),
      snapshots({
        okta: okta([{ login: SAM, status: 'locked', groups: ['Sales'] }]),
        salesforce: [salesforce('prod', [liveSam])],
      }),
    );
    expect(p.changes.filter((c) => ['freeze', 'deactivate', 'revoke'].includes(c.action))).toEqual([]);
  });
});

describe('UC-07 record ownership transfer', () => {
  const MANAGER = 'max.manager@acme.test';
  const SUCCESSOR = 'sue.successor@acme.test';
  const FALLBACK = 'sales.ops@acme.test';
  const base = (over: { manager?: boolean; successor?: boolean; fallbackActive?: boolean }) => {
    const people: PersonSpec[] = [
      { login: SAM, status: 'deprovisioned', attrs: over.manager ? { manager: MANAGER } : {} },
      { login: MANAGER, groups: ['Sales'] },
      { login: SUCCESSOR, groups: ['Sales'] },
    ];
    const users: UserSpec[] = [
      { ...liveSam, permissionSets: [], permissionSetGroups: [] },
      {
        username: MANAGER,
        federationId: MANAGER,
        profile: 'Sales User',
        permissionSets: ['Sales_Cloud_User'],
      },
      {
        username: SUCCESSOR,
        federationId: SUCCESSOR,
        profile: 'Sales User',
        permissionSets: ['Sales_Cloud_User'],
      },
      { username: FALLBACK, isActive: over.fallbackActive ?? true },
    ];
    return plan(
      makePolicy({
        access: [sales],
        lifecycle: {
          salesforce: {
            '*': {
              transfer: {
                objects: ['Account', 'Lead', 'Case'],
                to: ['manager', 'successor', { user: FALLBACK }, { queue: 'Unassigned Leads' }],
              },
            },
          },
          ...(over.successor ? { successors: { [SAM]: SUCCESSOR } } : {}),
        },
      }),
      snapshots({ okta: okta(people), salesforce: [salesforce('prod', users)] }),
    );
  };
  const targets = (p: ReturnType<typeof base>) =>
    Object.fromEntries(
      p.changes.filter((c) => c.action === 'transfer').map((c) => [c.target!.name, c.after]),
    );

  it.each([
    {
      name: 'manager first',
      over: { manager: true, successor: true },
      to: { user: MANAGER },
      via: 'manager',
    },
    {
      name: 'successor when no manager',
      over: { successor: true },
      to: { user: SUCCESSOR },
      via: 'successor',
    },
    {
      name: 'fixed user when no manager or successor',
      over: {},
      to: { user: FALLBACK },
      via: 'fallback user',
    },
  ])('UC-07 $name', ({ over, to, via }) => {
    const p = base(over);
    expect(targets(p)).toEqual({ Account: { to }, Case: { to }, Lead: { to } });
    expect(find(p, 'transfer', recordsAddr('prod', SAM, 'Lead')).reason.source).toBe(
      `left: okta DEPROVISIONED; open Lead records go to the ${via}`,
    );
  });

  it('UC-07 queue only for Lead and Case; Account has no recipient: deactivation waits, with a blocking finding', () => {
    const p = base({ fallbackActive: false });
    expect(targets(p)).toEqual({
      Case: { to: { queue: 'Unassigned Leads' } },
      Lead: { to: { queue: 'Unassigned Leads' } },
    });
    expect(lines(p)).not.toContain(`deactivate ${sfUserAddr('prod', SAM)}`);
    expect(lines(p)).toContain(`freeze ${sfUserAddr('prod', SAM)}`);
    expect(p.findings.filter((f) => f.severity === 'block').map((f) => [f.code, f.person])).toEqual([
      ['no-recipient', SAM],
    ]);
    expect(p.findings.find((f) => f.code === 'missing-recipient')?.message).toBe(
      `fallback user ${FALLBACK} is not an active user in prod; records cannot go to it there`,
    );
  });

  it('UC-07 a manager who is leaving too is skipped', () => {
    const p = plan(
      makePolicy({
        access: [sales],
        lifecycle: {
          salesforce: {
            '*': { transfer: { objects: ['Account'], to: ['manager', { user: 'sales.ops@acme.test' }] } },
          },
        },
      }),
      snapshots({
        okta: okta([
          { login: SAM, status: 'deprovisioned', attrs: { manager: MANAGER } },
          { login: MANAGER, status: 'deprovisioned' },
        ]),
        salesforce: [
          salesforce('prod', [
            liveSam,
            { username: MANAGER, federationId: MANAGER },
            { username: 'sales.ops@acme.test' },
          ]),
        ],
      }),
    );
    expect(find(p, 'transfer', recordsAddr('prod', SAM, 'Account')).after).toEqual({
      to: { user: 'sales.ops@acme.test' },
    });
  });

  it('order: freeze < transfer < revoke < deactivate for a leaver (indices in plan.changes)', () => {
    const p = plan(
      makePolicy({
        access: [sales],
        lifecycle: {
          salesforce: {
            '*': { transfer: { objects: ['Opportunity', 'Account'], to: [{ user: 'sales.ops@acme.test' }] } },
          },
        },
      }),
      snapshots({
        okta: okta([{ login: SAM, status: 'deprovisioned' }]),
        salesforce: [salesforce('prod', [liveSam, { username: 'sales.ops@acme.test' }])],
      }),
    );
    expect(lines(p)).toEqual([
      `freeze ${sfUserAddr('prod', SAM)}`,
      `transfer ${recordsAddr('prod', SAM, 'Account')}`,
      `transfer ${recordsAddr('prod', SAM, 'Opportunity')}`,
      `revoke ${psgAddr('prod', SAM, 'Sales_Leadership')}`,
      `revoke ${psAddr('prod', SAM, 'Sales_Cloud_User')}`,
      `deactivate ${sfUserAddr('prod', SAM)}`,
    ]);
    const freeze = find(p, 'freeze', sfUserAddr('prod', SAM));
    const deactivate = find(p, 'deactivate', sfUserAddr('prod', SAM));
    for (const c of p.changes.filter((x) => x.action === 'transfer')) {
      expect(c.dependsOn).toEqual([freeze.id]);
      expect(deactivate.dependsOn).toContain(c.id);
      expect(c.before).toEqual({ owner: SAM });
    }
    expect(indexOf(p, 'freeze', sfUserAddr('prod', SAM))).toBeLessThan(
      indexOf(p, 'transfer', recordsAddr('prod', SAM, 'Account')),
    );
  });
});

describe('UC-09 guard rails', () => {
  const newHire = (login: string): PersonSpec => ({ login, groups: ['Sales'] });

  it.each([
    {
      name: 'by login glob',
      protectedAccounts: ['breakglass-*@acme.test'],
      username: 'breakglass-1@acme.test',
      email: undefined,
    },
    {
      name: 'by Salesforce email',
      protectedAccounts: ['integration@acme.test'],
      username: 'int.user@acme.test',
      email: 'integration@acme.test',
    },
  ])(
    'UC-09 protected accounts are never changed ($name); a finding instead',
    ({ protectedAccounts, username, email }) => {
      const p = plan(
        makePolicy({ access: [sales], guardrails: { protectedAccounts } }),
        snapshots({
          okta: okta([{ login: username, status: 'deprovisioned' }, newHire('new.hire@acme.test')]),
          salesforce: [
            salesforce('prod', [
              { ...liveSam, username, federationId: username, ...(email ? { email } : {}) },
            ]),
          ],
        }),
      );
      expect(p.changes.some((c) => c.account.key === username)).toBe(false);
      expect(lines(p)).toEqual([
        `create ${sfUserAddr('prod', 'new.hire@acme.test')}`,
        `grant ${psAddr('prod', 'new.hire@acme.test', 'Sales_Cloud_User')}`,
      ]);
      const found = p.findings.filter((f) => f.code === 'protected-account');
      // Findings sort by message: deactivate, freeze, then the two revokes.
      expect(found.map((f) => f.address)).toEqual([
        sfUserAddr('prod', username),
        sfUserAddr('prod', username),
        psAddr('prod', username, 'Sales_Cloud_User'),
        psgAddr('prod', username, 'Sales_Leadership'),
      ]);
      expect(found[0]!.message).toBe(
        `deactivate ${sfUserAddr('prod', username)} is not planned: the account is protected by guardrails.protectedAccounts`,
      );
      expect(p.summary.peopleDeprovisioned).toBe(0);
    },
  );

  const leavers = (n: number, stay: number) =>
    snapshots({
      okta: okta([
        ...Array.from({ length: n }, (_, i) => ({
          login: `leaver.${i}@acme.test`,
          status: 'deprovisioned' as const,
        })),
        ...Array.from({ length: stay }, (_, i) => ({ login: `stay.${i}@acme.test`, groups: ['Sales'] })),
      ]),
      salesforce: [
        salesforce('prod', [
          ...Array.from({ length: n }, (_, i) => ({
            username: `leaver.${i}@acme.test`,
            federationId: `leaver.${i}@acme.test`,
          })),
          ...Array.from({ length: stay }, (_, i) => ({
            username: `stay.${i}@acme.test`,
            federationId: `stay.${i}@acme.test`,
            profile: 'Sales User',
            permissionSets: ['Sales_Cloud_User'],
          })),
        ]),
      ],
    });

  it.each([
    { cap: { absolute: 3 }, n: 3, blocked: [] },
    { cap: { absolute: 2 }, n: 3, blocked: ['3 people would be deprovisioned, over the cap of 2'] },
    { cap: { percent: 30 }, n: 3, blocked: [] },
    {
      cap: { percent: 20 },
      n: 3,
      blocked: ['3 of 10 people in scope (30.0%) would be deprovisioned, over the cap of 20%'],
    },
    {
      cap: { absolute: 1, percent: 10 },
      n: 3,
      blocked: [
        '3 people would be deprovisioned, over the cap of 1',
        '3 of 10 people in scope (30.0%) would be deprovisioned, over the cap of 10%',
      ],
    },
    { cap: { absolute: 0 }, n: 0, blocked: [] },
  ])('UC-09 deprovision cap $cap with $n leavers → blocked $blocked', ({ cap, n, blocked }) => {
    const p = plan(makePolicy({ access: [sales], guardrails: { maxDeprovision: cap } }), leavers(n, 10 - n));
    expect(p.summary.peopleDeprovisioned).toBe(n);
    expect(p.summary.peopleInScope).toBe(10);
    expect(p.blocked).toBe(blocked.length > 0);
    expect(p.blockedReasons).toEqual(blocked);
    expect(
      p.findings.filter((f) => f.code === 'deprovision-cap').map((f) => [f.severity, f.message]),
    ).toEqual([...blocked].sort((a, b) => a.localeCompare(b)).map((m) => ['block', m]));
    // Blocked plans still show every change for review.
    expect(p.changes.filter((c) => c.action === 'deactivate')).toHaveLength(n);
  });

  it.each([
    { name: 'no accounts', okta: okta([]) },
    { name: 'no snapshot at all', okta: undefined },
  ])(
    'UC-09 an empty source snapshot ($name) is an AccordError, never "everyone left"',
    ({ okta: source }) => {
      const snaps = snapshots({
        ...(source ? { okta: source } : {}),
        salesforce: [salesforce('prod', [liveSam])],
      });
      let error: unknown;
      try {
        plan(makePolicy({ access: [sales] }), snaps);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AccordError);
      expect((error as AccordError).code).toBe('guardrail.empty-source');
      expect((error as AccordError).message).toBe(
        'the okta snapshot (the source of people) is empty; refusing to plan',
      );
    },
  );
});

describe('UC-11 cross-deprovision', () => {
  const GINA = 'gina.globex@globex.test';
  const policy = (action?: 'suspend' | 'deactivate') =>
    makePolicy({
      platforms: { okta: {}, onelogin: {}, salesforce: { prod: {} } },
      identity: {
        source: 'okta',
        populations: [
          {
            id: 'globex',
            owner: 'onelogin',
            when: { attribute: { name: 'email', matches: '*@globex.test' } },
            crossProvision: true,
          },
        ],
      },
      mirrors: [
        {
          id: 'globex-to-okta',
          direction: 'onelogin-to-okta',
          pairs: [{ onelogin: 'Globex Sales', okta: 'Globex Sales' }],
        },
      ],
      lifecycle: action ? { okta: { action } } : {},
    });
  it.each([
    { action: undefined, expected: 'deactivate', after: { status: 'deprovisioned' } },
    { action: 'deactivate' as const, expected: 'deactivate', after: { status: 'deprovisioned' } },
    { action: 'suspend' as const, expected: 'suspend', after: { status: 'suspended' } },
  ])(
    'UC-11 a leaver in OneLogin: the cross-provisioned Okta account → $expected, memberships revoked',
    ({ action, expected, after }) => {
      const p = plan(
        policy(action),
        snapshots({
          okta: okta([{ login: GINA, groups: ['Globex Sales'] }, { login: 'ana.lopez@acme.test' }]),
          onelogin: onelogin([{ login: GINA, status: 'deprovisioned', groups: ['Globex Sales'] }]),
          salesforce: [salesforce('prod', [])],
        }),
      );
      expect(lines(p)).toEqual([
        `revoke ${memberAddr('okta', 'Globex Sales', GINA)}`,
        `${expected} ${idpUserAddr('okta', GINA)}`,
      ]);
      expect(find(p, expected, idpUserAddr('okta', GINA)).after).toEqual(after);
      expect(find(p, expected, idpUserAddr('okta', GINA)).reason).toEqual({
        rule: 'lifecycle.statuses.deprovisioned',
        source: 'left: onelogin DEPROVISIONED',
      });
    },
  );
});
