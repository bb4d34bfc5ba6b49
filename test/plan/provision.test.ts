/** UC-01..UC-05: provisioning, role change, attribute sync, multi-org fan-out, time-bound exceptions. */
import { patchFor } from '../../src/model/patch.js';
import { describe, expect, it } from '@jest/globals';
import type { AccessRule } from '../../src/policy/types.js';
import {
  find,
  indexOf,
  lines,
  makePolicy,
  okta,
  plan,
  psAddr,
  psgAddr,
  salesforce,
  sfUserAddr,
  snapshots,
} from '../support/builders.js';

const ANA = 'ana.lopez@acme.test';
const sales: AccessRule = {
  id: 'sales-reps',
  when: { oktaGroup: 'Sales' },
  priority: 10,
  grants: {
    prod: {
      profile: 'Sales User',
      role: 'Sales Rep',
      permissionSets: ['Sales_Cloud_User'],
      permissionSetGroups: ['Sales_Leadership'],
    },
  },
};

describe('UC-01 provision', () => {
  const cases = [
    {
      name: 'defaults only',
      identity: { source: 'okta' as const },
      expectedFields: {
        Username: ANA,
        Email: ANA,
        FirstName: 'Ana',
        LastName: 'Lopez',
        Alias: 'ALopez',
        FederationIdentifier: ANA,
        TimeZoneSidKey: 'America/Los_Angeles',
        LocaleSidKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        LanguageLocaleKey: 'en_US',
      },
    },
    {
      name: "'*' defaults and templates, org entry overriding field by field",
      identity: {
        source: 'okta' as const,
        salesforce: {
          '*': {
            username: '{emailLocal}@acme.test.sf',
            alias: '{lastName}{firstName}',
            defaults: { TimeZoneSidKey: 'Europe/Berlin', LocaleSidKey: 'de_DE' },
          },
          prod: { federationId: '{employeeNumber}', defaults: { LocaleSidKey: 'fr_FR' } },
        },
      },
      expectedFields: {
        Username: 'ana.lopez@acme.test.sf',
        Email: ANA,
        FirstName: 'Ana',
        LastName: 'Lopez',
        Alias: 'LopezAna',
        FederationIdentifier: 'E100',
        TimeZoneSidKey: 'Europe/Berlin',
        LocaleSidKey: 'fr_FR',
        EmailEncodingKey: 'UTF-8',
        LanguageLocaleKey: 'en_US',
      },
    },
  ];

  it.each(cases)('UC-01 creates the user with required fields: $name', ({ identity, expectedFields }) => {
    const p = plan(
      makePolicy({ identity, access: [sales] }),
      snapshots({
        okta: okta([{ login: ANA, groups: ['Sales'], attrs: { employeeNumber: 'E100' } }]),
        salesforce: [salesforce('prod', [])],
      }),
    );
    const username = expectedFields.Username;
    expect(lines(p)).toEqual([
      `create ${sfUserAddr('prod', username)}`,
      // Ties break by address in code-unit order: `permissionSetGroup[` < `permissionSet[`.
      `grant ${psgAddr('prod', username, 'Sales_Leadership')}`,
      `grant ${psAddr('prod', username, 'Sales_Cloud_User')}`,
    ]);
    const create = p.changes[0]!;
    expect(create.after).toEqual({
      ...expectedFields,
      Profile: 'Sales User',
      UserRole: 'Sales Rep',
      IsActive: true,
    });
    expect(create.before).toBeNull();
    expect(create.kind).toBe('account');
    expect(create.platform).toBe('salesforce:prod');
    expect(create.reason).toEqual({ rule: 'sales-reps', source: 'okta ACTIVE, matched by sales-reps' });
    for (const grant of p.changes.slice(1)) expect(grant.dependsOn).toEqual([create.id]);
    expect(p.summary.byAction).toEqual({ create: 1, grant: 2 });
  });

  it('UC-01 owned attribute flows are written on create too', () => {
    const p = plan(
      makePolicy({
        identity: {
          source: 'okta',
          attributes: [
            { from: 'okta', to: 'salesforce', fields: { Department: '{department}', Title: '{title}' } },
          ],
        },
        access: [sales],
      }),
      snapshots({
        okta: okta([{ login: ANA, groups: ['Sales'], attrs: { department: 'Sales', title: null } }]),
        salesforce: [salesforce('prod', [])],
      }),
    );
    expect(find(p, 'create', sfUserAddr('prod', ANA)).after).toMatchObject({
      Department: 'Sales',
      Title: null,
    });
  });

  it('UC-01 with no profile from any rule uses the fallback profile, else reports no-profile and creates nothing', () => {
    const noProfile: AccessRule = {
      id: 'ps-only',
      when: { oktaGroup: 'Sales' },
      grants: { prod: { permissionSets: ['Report_Builder'] } },
    };
    const snaps = snapshots({
      okta: okta([{ login: ANA, groups: ['Sales'] }]),
      salesforce: [salesforce('prod', [])],
    });
    const withFallback = plan(
      makePolicy({
        access: [noProfile],
        lifecycle: {
          salesforce: { '*': { fallbackProfiles: { Salesforce: 'Minimum Access - Salesforce' } } },
        },
      }),
      snaps,
    );
    expect(find(withFallback, 'create', sfUserAddr('prod', ANA)).after).toMatchObject({
      Profile: 'Minimum Access - Salesforce',
      UserRole: null,
    });
    expect(find(withFallback, 'create', sfUserAddr('prod', ANA)).reason.rule).toBe(
      'lifecycle.fallbackProfiles',
    );
    const without = plan(makePolicy({ access: [noProfile] }), snaps);
    expect(lines(without)).toEqual([]);
    expect(without.findings.map((f) => [f.code, f.person])).toEqual([['no-profile', ANA]]);
  });

  it('UC-01 a staged or inactive IdP account is not provisioned', () => {
    for (const status of ['staged', 'suspended', 'deprovisioned', 'locked'] as const) {
      const p = plan(
        makePolicy({ access: [sales] }),
        snapshots({
          okta: okta([{ login: ANA, status, groups: ['Sales'] }]),
          salesforce: [salesforce('prod', [])],
        }),
      );
      expect(lines(p)).toEqual([]);
    }
  });

  it('UC-01 unknown entitlements are findings, not changes', () => {
    const p = plan(
      makePolicy({
        access: [
          {
            id: 'r',
            when: { oktaGroup: 'Sales' },
            grants: { prod: { profile: 'Sales User', permissionSets: ['Nope'] } },
          },
        ],
      }),
      snapshots({ okta: okta([{ login: ANA, groups: ['Sales'] }]), salesforce: [salesforce('prod', [])] }),
    );
    expect(lines(p)).toEqual([`create ${sfUserAddr('prod', ANA)}`]);
    expect(p.findings.map((f) => [f.code, f.message])).toEqual([
      [
        'unknown-entitlement',
        'permissionSet "Nope" does not exist in Salesforce org prod; it is not assigned',
      ],
    ]);
  });
});

describe('UC-02 role change', () => {
  const managers: AccessRule = {
    id: 'sales-managers',
    when: { oktaGroup: 'Sales Managers' },
    priority: 20,
    grants: { prod: { role: 'Sales Manager', permissionSets: ['Report_Builder'] } },
  };
  const live = (over = {}) =>
    salesforce('prod', [
      {
        username: ANA,
        federationId: ANA,
        profile: 'Support User',
        role: 'Support Agent',
        permissionSets: ['Service_Cloud_User'],
        ...over,
      },
    ]);

  it('UC-02 profile and role follow by priority, permission sets by union, stale ones revoked', () => {
    const p = plan(
      makePolicy({ access: [sales, managers] }),
      snapshots({ okta: okta([{ login: ANA, groups: ['Sales', 'Sales Managers'] }]), salesforce: [live()] }),
    );
    const user = sfUserAddr('prod', ANA);
    expect(lines(p)).toEqual([
      `update ${user}`,
      `grant ${psgAddr('prod', ANA, 'Sales_Leadership')}`,
      `grant ${psAddr('prod', ANA, 'Report_Builder')}`,
      `grant ${psAddr('prod', ANA, 'Sales_Cloud_User')}`,
      `revoke ${psAddr('prod', ANA, 'Service_Cloud_User')}`,
    ]);
    const update = p.changes[0]!;
    expect(update.before).toEqual({ Profile: 'Support User', UserRole: 'Support Agent' });
    expect(update.after).toEqual({ Profile: 'Sales User', UserRole: 'Sales Manager' });
    expect(patchFor(update.before, update.after)).toEqual([
      { op: 'test', path: '/Profile', value: 'Support User' },
      { op: 'test', path: '/UserRole', value: 'Support Agent' },
      { op: 'replace', path: '/UserRole', value: 'Sales Manager' },
      { op: 'replace', path: '/Profile', value: 'Sales User' },
    ]);
    expect(update.reason.rule).toBe('sales-reps');
    // Grants wait for the profile change; the reason names the rule that grants each.
    expect(find(p, 'grant', psAddr('prod', ANA, 'Report_Builder')).dependsOn).toEqual([update.id]);
    expect(find(p, 'grant', psAddr('prod', ANA, 'Report_Builder')).reason.rule).toBe('sales-managers');
    expect(find(p, 'grant', psAddr('prod', ANA, 'Sales_Cloud_User')).reason.rule).toBe('sales-reps');
    expect(p.conflicts).toEqual([]);
  });

  it('UC-02 a higher-priority rule wins the profile without a conflict', () => {
    const admins: AccessRule = {
      id: 'admins',
      when: { oktaGroup: 'Admins' },
      priority: 100,
      grants: { '*': { profile: 'System Administrator' } },
    };
    const p = plan(
      makePolicy({ access: [sales, admins] }),
      snapshots({
        okta: okta([{ login: ANA, groups: ['Sales', 'Admins'] }]),
        salesforce: [live({ profile: 'Sales User', role: 'Sales Rep' })],
      }),
    );
    expect(find(p, 'update', sfUserAddr('prod', ANA)).after).toEqual({ Profile: 'System Administrator' });
    expect(find(p, 'update', sfUserAddr('prod', ANA)).reason.rule).toBe('admins');
    expect(p.conflicts).toEqual([]);
  });

  it.each([
    {
      field: 'profile',
      a: { profile: 'Sales User' },
      b: { profile: 'Support User' },
      candidates: ['Sales User (a)', 'Support User (b)'],
    },
    {
      field: 'role',
      a: { role: 'Sales Rep' },
      b: { role: 'Support Agent' },
      candidates: ['Sales Rep (a)', 'Support Agent (b)'],
    },
  ])(
    'UC-02 equal-priority rules that disagree on $field make a priority conflict and withhold the person',
    ({ field, a, b, candidates }) => {
      const p = plan(
        makePolicy({
          access: [
            {
              id: 'a',
              when: { oktaGroup: 'A' },
              priority: 5,
              grants: { prod: { profile: 'Sales User', ...a, permissionSets: ['Sales_Cloud_User'] } },
            },
            {
              id: 'b',
              when: { oktaGroup: 'B' },
              priority: 5,
              grants: { prod: { profile: 'Sales User', ...b } },
            },
          ],
        }),
        snapshots({
          okta: okta([
            { login: ANA, groups: ['A', 'B'] },
            { login: 'bo.b@acme.test', groups: ['A'] },
          ]),
          salesforce: [salesforce('prod', [])],
        }),
      );
      expect(p.conflicts).toEqual([
        {
          person: ANA,
          platform: 'salesforce:prod',
          kind: 'priority',
          key: field,
          candidates,
          message: `rules of equal priority 5 give ${ANA} different ${field}s in prod`,
        },
      ]);
      // Ana gets nothing; Bob, who is not in conflict, still gets his account.
      expect(lines(p)).toEqual([
        `create ${sfUserAddr('prod', 'bo.b@acme.test')}`,
        `grant ${psAddr('prod', 'bo.b@acme.test', 'Sales_Cloud_User')}`,
      ]);
    },
  );

  it('UC-02 equal priority with the same value is not a conflict', () => {
    const p = plan(
      makePolicy({
        access: [
          { id: 'a', when: { oktaGroup: 'A' }, grants: { prod: { profile: 'Sales User' } } },
          { id: 'b', when: { oktaGroup: 'B' }, grants: { prod: { profile: 'Sales User' } } },
        ],
      }),
      snapshots({ okta: okta([{ login: ANA, groups: ['A', 'B'] }]), salesforce: [salesforce('prod', [])] }),
    );
    expect(p.conflicts).toEqual([]);
    expect(lines(p)).toEqual([`create ${sfUserAddr('prod', ANA)}`]);
  });
});

describe('UC-03 attribute sync', () => {
  const flows = {
    source: 'okta' as const,
    attributes: [
      { from: 'okta' as const, to: 'salesforce', fields: { Department: '{department}', Title: '{title}' } },
    ],
  };
  const liveFields = { Department: 'Support', Title: 'Rep', Phone: '+1 crm', CustomField__c: 'crm only' };

  it.each([
    {
      name: 'owned field differs',
      attrs: { department: 'Sales', title: 'Rep' },
      change: { before: { Department: 'Support' }, after: { Department: 'Sales' } },
    },
    {
      name: 'both owned fields differ',
      attrs: { department: 'Sales', title: 'AE' },
      change: {
        before: { Department: 'Support', Title: 'Rep' },
        after: { Department: 'Sales', Title: 'AE' },
      },
    },
    { name: 'owned fields equal', attrs: { department: 'Support', title: 'Rep' }, change: undefined },
  ])('UC-03 $name', ({ attrs, change }) => {
    const p = plan(
      makePolicy({
        identity: flows,
        access: [{ id: 'r', when: { oktaGroup: 'Sales' }, grants: { prod: { profile: 'Sales User' } } }],
      }),
      snapshots({
        okta: okta([{ login: ANA, groups: ['Sales'], attrs: { ...attrs, phone: '+49 idp' } }]),
        salesforce: [
          salesforce('prod', [
            { username: ANA, federationId: ANA, profile: 'Sales User', fields: liveFields },
          ]),
        ],
      }),
    );
    if (!change) return expect(lines(p)).toEqual([]);
    expect(lines(p)).toEqual([`update ${sfUserAddr('prod', ANA)}`]);
    expect({ before: p.changes[0]!.before, after: p.changes[0]!.after }).toEqual(change);
    // Unowned fields (Phone, CustomField__c) are never in any change, not even as a test op.
    const json = JSON.stringify(p.changes);
    expect(json).not.toContain('Phone');
    expect(json).not.toContain('CustomField__c');
  });

  it('UC-03 a flow to salesforce.<org> owns the field only in that org', () => {
    const p = plan(
      makePolicy({
        platforms: { okta: {}, salesforce: { prod: {}, emea: {} } },
        identity: {
          source: 'okta',
          attributes: [{ from: 'okta', to: 'salesforce.emea', fields: { Department: '{department}' } }],
        },
        access: [{ id: 'r', when: { oktaGroup: 'Sales' }, grants: { '*': { profile: 'Sales User' } } }],
      }),
      snapshots({
        okta: okta([{ login: ANA, groups: ['Sales'], attrs: { department: 'Sales' } }]),
        salesforce: [
          salesforce('prod', [
            { username: ANA, federationId: ANA, profile: 'Sales User', fields: { Department: 'Old' } },
          ]),
          salesforce('emea', [
            { username: ANA, federationId: ANA, profile: 'Sales User', fields: { Department: 'Old' } },
          ]),
        ],
      }),
    );
    expect(lines(p)).toEqual([`update ${sfUserAddr('emea', ANA)}`]);
  });
});

describe('UC-04 multi-org fan-out', () => {
  it("UC-04 '*' fans out to every org; an org's own entry replaces '*' there", () => {
    const p = plan(
      makePolicy({
        platforms: { okta: {}, salesforce: { prod: {}, emea: {}, apac: {} } },
        identity: { source: 'okta', salesforce: { emea: { username: '{email}.emea' } } },
        access: [
          {
            id: 'everyone',
            when: { oktaGroup: 'Sales' },
            grants: {
              '*': { profile: 'Standard User', permissionSets: ['Knowledge_User'] },
              emea: { profile: 'Sales User', permissionSets: ['Sales_Cloud_User'] },
            },
          },
        ],
      }),
      snapshots({
        okta: okta([{ login: ANA, groups: ['Sales'] }]),
        salesforce: [salesforce('prod', []), salesforce('emea', []), salesforce('apac', [])],
      }),
    );
    expect(lines(p)).toEqual([
      `create ${sfUserAddr('apac', ANA)}`,
      `create ${sfUserAddr('emea', `${ANA}.emea`)}`,
      `create ${sfUserAddr('prod', ANA)}`,
      `grant ${psAddr('apac', ANA, 'Knowledge_User')}`,
      `grant ${psAddr('emea', `${ANA}.emea`, 'Sales_Cloud_User')}`,
      `grant ${psAddr('prod', ANA, 'Knowledge_User')}`,
    ]);
    expect((find(p, 'create', sfUserAddr('emea', `${ANA}.emea`)).after as { Profile: string }).Profile).toBe(
      'Sales User',
    );
    expect((find(p, 'create', sfUserAddr('apac', ANA)).after as { Profile: string }).Profile).toBe(
      'Standard User',
    );
  });

  it('UC-04 an org declared in policy without a snapshot is skipped, an org with a snapshot but no rule is left alone', () => {
    const p = plan(
      makePolicy({
        platforms: { okta: {}, salesforce: { prod: {}, emea: {} } },
        access: [{ id: 'r', when: { oktaGroup: 'Sales' }, grants: { emea: { profile: 'Sales User' } } }],
      }),
      snapshots({ okta: okta([{ login: ANA, groups: ['Sales'] }]), salesforce: [salesforce('prod', [])] }),
    );
    expect(lines(p)).toEqual([]);
  });
});

describe('UC-05 time-bound exceptions', () => {
  const exception = {
    id: 'ana-reports',
    person: ANA,
    org: 'prod',
    permissionSets: ['Report_Builder'],
    expires: '2026-11-23',
    ticket: 'ACC-311',
  };
  const rule: AccessRule = {
    id: 'r',
    when: { oktaGroup: 'Sales' },
    grants: { prod: { profile: 'Sales User' } },
  };
  it.each([
    { now: '2026-11-22T12:00:00Z', held: false, expected: ['grant'] },
    { now: '2026-11-23T23:59:59Z', held: false, expected: ['grant'] },
    { now: '2026-11-23T23:59:59Z', held: true, expected: [] },
    { now: '2026-11-24T00:00:00Z', held: true, expected: ['revoke'] },
    { now: '2026-11-24T00:00:00Z', held: false, expected: [] },
  ])('UC-05 at $now (held: $held) → $expected', ({ now, held, expected }) => {
    const p = plan(
      makePolicy({ access: [rule], exceptions: [exception] }),
      snapshots({
        okta: okta([{ login: ANA, groups: ['Sales'] }]),
        salesforce: [
          salesforce('prod', [
            {
              username: ANA,
              federationId: ANA,
              profile: 'Sales User',
              permissionSets: held ? ['Report_Builder'] : [],
            },
          ]),
        ],
      }),
      { now: new Date(now) },
    );
    expect(lines(p)).toEqual(expected.map((a) => `${a} ${psAddr('prod', ANA, 'Report_Builder')}`));
    if (expected[0] === 'grant') expect(p.changes[0]!.reason.rule).toBe('ana-reports');
  });

  it("UC-05 an exception for org '*' applies in every org the person has", () => {
    const p = plan(
      makePolicy({
        platforms: { okta: {}, salesforce: { prod: {}, emea: {} } },
        access: [{ id: 'r', when: { oktaGroup: 'Sales' }, grants: { '*': { profile: 'Sales User' } } }],
        exceptions: [{ ...exception, org: '*' }],
      }),
      snapshots({
        okta: okta([{ login: ANA, groups: ['Sales'] }]),
        salesforce: ['prod', 'emea'].map((o) =>
          salesforce(o, [{ username: ANA, federationId: ANA, profile: 'Sales User' }]),
        ),
      }),
    );
    expect(lines(p)).toEqual([
      `grant ${psAddr('emea', ANA, 'Report_Builder')}`,
      `grant ${psAddr('prod', ANA, 'Report_Builder')}`,
    ]);
  });
});

describe('order: create < grant', () => {
  it('every grant comes after its account create in plan.changes', () => {
    const people = ['a', 'b', 'c'].map((x) => ({ login: `${x}.x@acme.test`, groups: ['Sales'] }));
    const p = plan(
      makePolicy({ access: [sales] }),
      snapshots({ okta: okta(people), salesforce: [salesforce('prod', [])] }),
    );
    for (const { login } of people) {
      const create = indexOf(p, 'create', sfUserAddr('prod', login));
      expect(create).toBeGreaterThanOrEqual(0);
      expect(indexOf(p, 'grant', psAddr('prod', login, 'Sales_Cloud_User'))).toBeGreaterThan(create);
      expect(indexOf(p, 'grant', psgAddr('prod', login, 'Sales_Leadership'))).toBeGreaterThan(create);
    }
  });
});
