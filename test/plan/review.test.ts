/** Separation of duties, sensitive grants, access impact, --target, and manager references. */
import { describe, expect, it } from '@jest/globals';
import type { AccessRule } from '../../src/policy/types.js';
import {
  find,
  lines,
  makePolicy,
  okta,
  plan,
  psAddr,
  salesforce,
  sfUserAddr,
  snapshots,
} from '../support/builders.js';

const ANA = 'ana.lopez@acme.test';
const BOB = 'bob.existing@acme.test';
const sales: AccessRule = {
  id: 'sales-reps',
  when: { oktaGroup: 'Sales' },
  priority: 10,
  grants: { prod: { profile: 'Sales User', permissionSets: ['Sales_Cloud_User'] } },
};
const finance: AccessRule = {
  id: 'finance',
  when: { oktaGroup: 'Finance' },
  priority: 10,
  grants: { prod: { permissionSets: ['Billing_Approver'] } },
};
const admin: AccessRule = {
  id: 'admins',
  when: { oktaGroup: 'Admins' },
  priority: 100,
  grants: { '*': { profile: 'System Administrator', permissionSets: ['Modify_All_Data'] } },
};
const sod = {
  separationOfDuties: [
    {
      id: 'quote-to-cash',
      entitlements: [
        { org: 'prod', permissionSet: 'Billing_Approver' },
        { org: 'prod', permissionSet: 'Sales_Cloud_User' },
      ],
    },
  ],
};

describe('separation of duties', () => {
  it.each([
    { groups: ['Sales', 'Finance'], blocked: true },
    { groups: ['Sales'], blocked: false },
    { groups: ['Finance'], blocked: false },
  ])('groups $groups → blocked: $blocked', ({ groups, blocked }) => {
    const p = plan(
      makePolicy({ access: [sales, finance], guardrails: sod }),
      snapshots({ okta: okta([{ login: ANA, groups }]), salesforce: [salesforce('prod', [])] }),
    );
    const message = `${ANA} would hold 2 entitlements that separation-of-duties rule quote-to-cash forbids together`;
    expect(p.blocked).toBe(blocked);
    expect(p.blockedReasons).toEqual(blocked ? [message] : []);
    expect(p.findings.filter((f) => f.code === 'separation-of-duties')).toEqual(
      blocked
        ? [{ code: 'separation-of-duties', severity: 'block', person: ANA, rule: 'quote-to-cash', message }]
        : [],
    );
  });

  it('a violation in another org than the rule names does not block', () => {
    const p = plan(
      makePolicy({
        platforms: { okta: {}, salesforce: { prod: {}, emea: {} } },
        access: [
          { ...sales, grants: { emea: { profile: 'Sales User', permissionSets: ['Sales_Cloud_User'] } } },
          { ...finance, grants: { emea: { permissionSets: ['Billing_Approver'] } } },
        ],
        guardrails: sod,
      }),
      snapshots({
        okta: okta([{ login: ANA, groups: ['Sales', 'Finance'] }]),
        salesforce: [salesforce('prod', []), salesforce('emea', [])],
      }),
    );
    // Ana does get both entitlements, in emea: the rule names prod, so nothing is found or blocked.
    expect(lines(p)).toEqual(
      expect.arrayContaining([
        `grant ${psAddr('emea', ANA, 'Billing_Approver')}`,
        `grant ${psAddr('emea', ANA, 'Sales_Cloud_User')}`,
      ]),
    );
    expect(p.findings.filter((f) => f.code === 'separation-of-duties')).toEqual([]);
    expect(p.blocked).toBe(false);
  });

  it.each([
    { groups: ['Deployers', 'Finance'], members: undefined, blocked: true },
    { groups: ['Deployers'], members: undefined, blocked: false },
    // A group accord owns is read at its desired membership: declaring Ana a member blocks too.
    { groups: ['Finance'], members: [ANA], blocked: true },
  ])(
    'a group membership and a permission set: groups $groups, declared $members → blocked: $blocked',
    ({ groups, members, blocked }) => {
      const p = plan(
        makePolicy({
          access: [finance],
          guardrails: {
            separationOfDuties: [
              {
                id: 'deploy-vs-pay',
                entitlements: [
                  { oktaGroup: 'Deployers' },
                  { org: 'prod', permissionSet: 'Billing_Approver' },
                ],
              },
            ],
          },
          ...(members
            ? { groups: [{ platform: 'okta', name: 'Deployers', mode: 'additive', members }] }
            : {}),
        }),
        snapshots({
          okta: okta([{ login: ANA, groups }], { groups: ['Deployers', 'Finance'] }),
          salesforce: [salesforce('prod', [])],
        }),
      );
      expect(p.blocked).toBe(blocked);
      expect(p.findings.filter((f) => f.code === 'separation-of-duties').map((f) => f.person)).toEqual(
        blocked ? [ANA] : [],
      );
    },
  );
});

describe('sensitive grants and access impact', () => {
  it('sensitive grants are flagged as findings and in the impact; impact lists gained and lost with rules', () => {
    const p = plan(
      makePolicy({
        access: [sales, admin],
        guardrails: {
          sensitive: [
            { org: '*', permissionSet: 'Modify_All_Data' },
            { org: '*', profile: 'System Administrator' },
          ],
        },
      }),
      snapshots({
        okta: okta([
          { login: ANA, groups: ['Sales', 'Admins'] },
          { login: BOB, groups: ['Sales'] },
        ]),
        salesforce: [
          salesforce('prod', [
            { username: BOB, federationId: BOB, profile: 'Support User', permissionSets: ['Knowledge_User'] },
          ]),
        ],
      }),
    );
    expect(p.findings.filter((f) => f.code === 'sensitive')).toEqual([
      {
        code: 'sensitive',
        severity: 'warn',
        platform: 'salesforce:prod',
        address: psAddr('prod', ANA, 'Modify_All_Data'),
        rule: 'admins',
        message: `grants sensitive permissionSet:Modify_All_Data to ${ANA}`,
      },
    ]);
    expect(p.impact).toEqual([
      {
        person: ANA,
        gained: [
          { platform: 'salesforce:prod', entitlement: 'account', rule: 'admins' },
          {
            platform: 'salesforce:prod',
            entitlement: 'profile:System Administrator',
            rule: 'admins',
            sensitive: true,
          },
          {
            platform: 'salesforce:prod',
            entitlement: 'permissionSet:Modify_All_Data',
            rule: 'admins',
            sensitive: true,
          },
          { platform: 'salesforce:prod', entitlement: 'permissionSet:Sales_Cloud_User', rule: 'sales-reps' },
        ],
        lost: [],
        deprovisioned: false,
      },
      {
        person: BOB,
        gained: [
          { platform: 'salesforce:prod', entitlement: 'profile:Sales User', rule: 'sales-reps' },
          { platform: 'salesforce:prod', entitlement: 'permissionSet:Sales_Cloud_User', rule: 'sales-reps' },
        ],
        lost: [
          { platform: 'salesforce:prod', entitlement: 'profile:Support User', rule: 'sales-reps' },
          { platform: 'salesforce:prod', entitlement: 'permissionSet:Knowledge_User', rule: 'access' },
        ],
        deprovisioned: false,
      },
    ]);
  });
});

describe('targets', () => {
  const targeted = (targets: string[]) =>
    lines(
      plan(
        makePolicy({ access: [sales] }),
        snapshots({
          okta: okta([
            { login: ANA, groups: ['Sales'] },
            { login: BOB, groups: ['Sales'] },
          ]),
          salesforce: [salesforce('prod', [])],
        }),
        { targets },
      ),
    );

  it.each([
    [
      'keeps the targeted changes plus what they depend on, nothing else',
      [psAddr('prod', ANA, 'Sales_Cloud_User')],
      [`create ${sfUserAddr('prod', ANA)}`, `grant ${psAddr('prod', ANA, 'Sales_Cloud_User')}`],
    ],
    [
      'a prefix selects every change below it',
      [`salesforce.prod.user["${BOB}`],
      [`create ${sfUserAddr('prod', BOB)}`, `grant ${psAddr('prod', BOB, 'Sales_Cloud_User')}`],
    ],
  ])('%s', (_name, targets, expected) => {
    expect(targeted(targets)).toEqual(expected);
  });
});

describe('manager references (ManagerId flow)', () => {
  const managerFlow = {
    source: 'okta' as const,
    attributes: [{ from: 'okta' as const, to: 'salesforce', fields: { ManagerId: '{manager}' } }],
  };
  const NEWBOSS = 'new.boss@acme.test';

  it('a new hire whose manager is created in the same plan waits for the manager', () => {
    const p = plan(
      makePolicy({ identity: managerFlow, access: [sales] }),
      snapshots({
        okta: okta([
          { login: 'aaa.report@acme.test', groups: ['Sales'], attrs: { manager: NEWBOSS } },
          { login: NEWBOSS, groups: ['Sales'] },
        ]),
        salesforce: [salesforce('prod', [])],
      }),
    );
    const boss = find(p, 'create', sfUserAddr('prod', NEWBOSS));
    const report = find(p, 'create', sfUserAddr('prod', 'aaa.report@acme.test'));
    expect((report.after as { Manager: string }).Manager).toBe(NEWBOSS);
    expect(report.dependsOn).toEqual([boss.id]);
    expect(p.changes.indexOf(boss)).toBeLessThan(p.changes.indexOf(report));
  });

  // Regression (fixed; src/plan/diff-salesforce.ts, the "manager who is created in the same plan" loop at the end
  // of diffSalesforce): the dependsOn edge on the manager's create is added only for `create`
  // changes. An existing user whose owned ManagerId now points at a manager created in this plan
  // gets an `update` { Manager: <new username> } with no edge to that create. The order still happens
  // to work (create ranks before update), but `--target` on the update drops the manager's create,
  // and an applier working from edges alone may run the update first.
  it('an existing user updated to a manager created in the same plan depends on that create', () => {
    const p = plan(
      makePolicy({ identity: managerFlow, access: [sales] }),
      snapshots({
        okta: okta([
          { login: BOB, groups: ['Sales'], attrs: { manager: NEWBOSS } },
          { login: NEWBOSS, groups: ['Sales'] },
        ]),
        salesforce: [
          salesforce('prod', [
            { username: BOB, federationId: BOB, profile: 'Sales User', permissionSets: ['Sales_Cloud_User'] },
          ]),
        ],
      }),
      { targets: [sfUserAddr('prod', BOB)] },
    );
    expect(lines(p)).toEqual([`create ${sfUserAddr('prod', NEWBOSS)}`, `update ${sfUserAddr('prod', BOB)}`]);
  });

  // Regression (fixed; src/compile/desired-salesforce.ts, the "Owned ManagerId values" loop near the end of
  // desiredSalesforce): ManagerId resolves to the manager's desired Username whenever the manager is
  // `present`, even when the manager's changes are withheld (identity conflict) or dropped (protected
  // account). The plan then sets Manager to a user that does not exist and that nothing creates:
  // the update fails at apply, for ever. Found by the convergence property (demo company, seed 1,
  // 20 people, dana.boss's manager set to pat.shared, whose prod match is ambiguous).
  it('a manager whose own changes are withheld by a conflict is not referenced by a Manager that does not exist', () => {
    const PAT = 'pat.shared@acme.test';
    const p = plan(
      makePolicy({ identity: managerFlow, access: [sales] }),
      snapshots({
        okta: okta([
          { login: BOB, groups: ['Sales'], attrs: { manager: PAT, employeeNumber: 'E1' } },
          { login: PAT, groups: ['Sales'], attrs: { employeeNumber: 'E2' } },
        ]),
        salesforce: [
          salesforce('prod', [
            {
              username: BOB,
              federationId: BOB,
              profile: 'Sales User',
              permissionSets: ['Sales_Cloud_User'],
            },
            { username: 'pat.1@acme.test', employeeNumber: 'E2' },
            { username: 'pat.2@acme.test', employeeNumber: 'E2' },
          ]),
        ],
      }),
    );
    expect(p.conflicts.map((c) => c.person)).toEqual([PAT]);
    const existing = new Set(['pat.1@acme.test', 'pat.2@acme.test', BOB]);
    for (const c of p.changes) {
      const manager = (c.after as { Manager?: string | null } | null)?.Manager;
      if (manager)
        expect(
          existing.has(manager) || p.changes.some((x) => x.action === 'create' && x.account.key === manager),
        ).toBe(true);
    }
  });

  it('a new hire whose manager is protected gets no dangling dependsOn', () => {
    const p = plan(
      makePolicy({ identity: managerFlow, access: [sales], guardrails: { protectedAccounts: [NEWBOSS] } }),
      snapshots({
        okta: okta([
          { login: 'aaa.report@acme.test', groups: ['Sales'], attrs: { manager: NEWBOSS } },
          { login: NEWBOSS, groups: ['Sales'] },
        ]),
        salesforce: [salesforce('prod', [])],
      }),
    );
    const ids = new Set(p.changes.map((c) => c.id));
    for (const c of p.changes) for (const d of c.dependsOn) expect(ids.has(d)).toBe(true);
  });
});
