/** UC-10 cross-provisioning and UC-12 mirrors and managed groups. */
import { describe, expect, it } from '@jest/globals';
import type { ManagedGroup, Mirror } from '../../src/policy/types.js';
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
  salesforce,
  sfUserAddr,
  snapshots,
} from '../support/builders.js';

const GINA = 'gina.globex@globex.test';
const ANA = 'ana.lopez@acme.test';
const globexPolicy = (mirrors: Mirror[], extra: Parameters<typeof makePolicy>[0] = {}) =>
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
      attributes: [
        {
          from: 'onelogin',
          to: 'okta',
          fields: { department: '{department}', employeeNumber: '{employeeNumber}' },
        },
      ],
    },
    mirrors,
    ...extra,
  });
const mirror: Mirror = {
  id: 'globex-to-okta',
  direction: 'onelogin-to-okta',
  pairs: [{ onelogin: 'Globex Sales', okta: 'Globex Sales' }],
};

describe('UC-10 cross-provision', () => {
  it('UC-10 a population owned by the source itself cross-provisions the other way (Okta people into OneLogin)', () => {
    const policy = makePolicy({
      platforms: { okta: {}, onelogin: {}, salesforce: { prod: {} } },
      identity: {
        source: 'okta',
        populations: [
          { id: 'acme-sales', owner: 'okta', when: { oktaGroup: 'Sales' }, crossProvision: true },
        ],
      },
    });
    const world = (olPeople: Parameters<typeof onelogin>[0]) =>
      snapshots({
        okta: okta([
          { login: ANA, groups: ['Sales'] },
          { login: 'bo.b@acme.test', groups: ['Support'] },
        ]),
        onelogin: onelogin(olPeople),
        salesforce: [salesforce('prod', [])],
      });
    const p = plan(policy, world([]));
    expect(lines(p)).toEqual([`create ${idpUserAddr('onelogin', ANA)}`]);
    expect(find(p, 'create', idpUserAddr('onelogin', ANA)).reason.source).toBe(
      'population acme-sales owned by okta',
    );
    // Once it exists, nothing more; Bob, outside the population, never gets one.
    expect(lines(plan(policy, world([{ login: ANA }])))).toEqual([]);
  });

  it.each([
    { name: 'target group exists', oktaGroups: ['Globex Sales'], groupCreate: false },
    { name: 'target group missing', oktaGroups: [], groupCreate: true },
  ])(
    'UC-10 creates the Okta account and its mirrored membership depends on it ($name)',
    ({ oktaGroups, groupCreate }) => {
      const p = plan(
        globexPolicy([mirror]),
        snapshots({
          okta: okta([{ login: ANA }], { groups: oktaGroups }),
          onelogin: onelogin([
            { login: GINA, groups: ['Globex Sales'], attrs: { department: 'Sales', employeeNumber: 'G7' } },
          ]),
          salesforce: [salesforce('prod', [])],
        }),
      );
      expect(lines(p)).toEqual([
        ...(groupCreate ? [`create okta.group["Globex Sales"]`] : []),
        `create ${idpUserAddr('okta', GINA)}`,
        `grant ${memberAddr('okta', 'Globex Sales', GINA)}`,
      ]);
      const create = find(p, 'create', idpUserAddr('okta', GINA));
      expect(create.after).toEqual({
        profile: {
          login: GINA,
          email: GINA,
          firstName: 'Gina',
          lastName: 'Globex',
          department: 'Sales',
          employeeNumber: 'G7',
        },
        activate: true,
      });
      expect(create.reason).toEqual({
        rule: 'population:globex',
        source: 'population globex owned by onelogin',
      });
      const grant = find(p, 'grant', memberAddr('okta', 'Globex Sales', GINA));
      const deps = [
        create.id,
        ...(groupCreate ? [find(p, 'create', 'okta.group["Globex Sales"]').id] : []),
      ].sort();
      expect(grant.dependsOn).toEqual(deps);
      if (groupCreate)
        expect(indexOf(p, 'create', 'okta.group["Globex Sales"]')).toBeLessThan(
          indexOf(p, 'grant', memberAddr('okta', 'Globex Sales', GINA)),
        );
    },
  );

  it('UC-10 an existing account is linked by email, not created again; owned attributes are updated', () => {
    const p = plan(
      globexPolicy([]),
      snapshots({
        okta: okta([{ login: ANA }, { login: GINA, attrs: { department: 'Old', employeeNumber: 'G7' } }]),
        onelogin: onelogin([{ login: GINA, attrs: { department: 'Sales', employeeNumber: 'G7' } }]),
        salesforce: [salesforce('prod', [])],
      }),
    );
    expect(lines(p)).toEqual([`update ${idpUserAddr('okta', GINA)}`]);
    expect(p.changes[0]!.before).toEqual({ profile: { department: 'Old' } });
    expect(p.changes[0]!.after).toEqual({ profile: { department: 'Sales' } });
  });

  it('UC-10 without crossProvision nothing is created in the other IdP', () => {
    const policy = globexPolicy([]);
    policy.identity.populations![0]!.crossProvision = false;
    const p = plan(
      policy,
      snapshots({
        okta: okta([{ login: ANA }]),
        onelogin: onelogin([{ login: GINA }]),
        salesforce: [salesforce('prod', [])],
      }),
    );
    expect(lines(p)).toEqual([]);
  });

  it('UC-10 a OneLogin-owned person gets Salesforce access from an Okta rule through the mirror in one plan', () => {
    const p = plan(
      globexPolicy([mirror], {
        access: [
          {
            id: 'globex-sales',
            when: { oktaGroup: 'Globex Sales' },
            grants: { prod: { profile: 'Sales User', permissionSets: ['Sales_Cloud_User'] } },
          },
        ],
      }),
      snapshots({
        okta: okta([{ login: ANA }], { groups: ['Globex Sales'] }),
        onelogin: onelogin([{ login: GINA, groups: ['Globex Sales'] }]),
        salesforce: [salesforce('prod', [])],
      }),
    );
    expect(lines(p)).toEqual([
      `create ${idpUserAddr('okta', GINA)}`,
      `create ${sfUserAddr('prod', GINA)}`,
      `grant ${memberAddr('okta', 'Globex Sales', GINA)}`,
      `grant ${psAddr('prod', GINA, 'Sales_Cloud_User')}`,
    ]);
  });
});

describe('UC-12 mirrors and managed groups', () => {
  const snaps = () =>
    snapshots({
      okta: okta([
        { login: ANA, groups: ['Globex Sales'] },
        { login: GINA, groups: ['Globex Sales'] },
        { login: 'otto.only@acme.test', groups: ['Globex Sales'] },
      ]),
      onelogin: onelogin([
        { login: GINA, groups: ['Globex Sales'] },
        { login: 'gus.new@globex.test', groups: ['Globex Sales'] },
      ]),
      salesforce: [salesforce('prod', [])],
    });

  it.each([
    { mode: 'authoritative' as const, revoked: [ANA, 'otto.only@acme.test'] },
    { mode: 'additive' as const, revoked: [] },
  ])('UC-12 mirror onelogin → okta, $mode', ({ mode, revoked }) => {
    const p = plan(globexPolicy([{ ...mirror, mode }]), snaps());
    expect(lines(p)).toEqual([
      `create ${idpUserAddr('okta', 'gus.new@globex.test')}`,
      `grant ${memberAddr('okta', 'Globex Sales', 'gus.new@globex.test')}`,
      ...revoked.map((k) => `revoke ${memberAddr('okta', 'Globex Sales', k)}`),
    ]);
    for (const c of p.changes.filter((x) => x.action === 'revoke'))
      expect(c.reason).toEqual({
        rule: 'globex-to-okta',
        source: 'not a declared or mirrored member (authoritative mirror)',
      });
  });

  it('UC-12 a mirror never changes its source, and an app group target is left alone with a finding', () => {
    const p = plan(
      globexPolicy([
        { id: 'okta-to-ol', direction: 'okta-to-onelogin', pairs: [{ okta: 'Sales', onelogin: 'Sales' }] },
      ]),
      snapshots({
        okta: okta([{ login: ANA, groups: ['Sales'] }]),
        onelogin: onelogin([{ login: GINA, groups: ['Sales'] }]),
        salesforce: [salesforce('prod', [])],
      }),
    );
    // Ana has no OneLogin account (not cross-provisioned): no change for her (and, today, no
    // finding either). Gina is not in the Okta source group, so she leaves the OneLogin role;
    // nothing is written to Okta "Sales".
    expect(lines(p)).toEqual([
      `create ${idpUserAddr('okta', GINA)}`,
      `revoke ${memberAddr('onelogin', 'Sales', GINA)}`,
    ]);
    expect(p.changes.some((c) => c.address.startsWith('okta.group["Sales"]'))).toBe(false);
    const app = plan(
      globexPolicy([mirror]),
      snapshots({
        okta: okta([{ login: ANA, groups: ['Globex Sales'] }], { kinds: { 'Globex Sales': 'app' } }),
        onelogin: onelogin([{ login: GINA, groups: ['Globex Sales'] }]),
        salesforce: [salesforce('prod', [])],
      }),
    );
    expect(lines(app)).toEqual([`create ${idpUserAddr('okta', GINA)}`]);
    expect(app.findings.map((f) => f.message)).toContain(
      'okta group "Globex Sales" is a app group; its members are managed elsewhere and accord leaves it alone',
    );
  });

  const admins = (over: Partial<ManagedGroup>): ManagedGroup => ({
    platform: 'okta',
    name: 'Salesforce Admins',
    members: ['sam.admin@acme.test'],
    rule: { attribute: { name: 'department', equals: 'IT' } },
    ...over,
  });
  it.each([
    { mode: 'authoritative' as const, expected: ['grant lee', 'grant sam', 'revoke old'] },
    { mode: 'additive' as const, expected: ['grant lee', 'grant sam'] },
  ])(
    'UC-12 managed group (declared + rule), $mode; the new members get Salesforce access in the same plan',
    ({ mode, expected }) => {
      const who: Record<string, string> = {
        lee: 'lee.it@acme.test',
        sam: 'sam.admin@acme.test',
        old: 'old.admin@acme.test',
      };
      const p = plan(
        makePolicy({
          groups: [admins({ mode })],
          access: [
            {
              id: 'admins',
              when: { oktaGroup: 'Salesforce Admins' },
              grants: { prod: { profile: 'System Administrator' } },
            },
          ],
        }),
        snapshots({
          okta: okta([
            { login: who.sam! },
            { login: who.lee!, attrs: { department: 'IT' } },
            { login: who.old!, groups: ['Salesforce Admins'] },
            { login: 'not.it@acme.test', attrs: { department: 'Sales' } },
          ]),
          salesforce: [salesforce('prod', [])],
        }),
      );
      const memberLines = p.changes
        .filter((c) => c.kind === 'membership')
        .map((c) => `${c.action} ${c.account.key}`);
      // The reason says why each is a member: sam is listed, lee matches the rule.
      const reasonOf = (login: string) =>
        p.changes.find((c) => c.kind === 'membership' && c.account.key === login)?.reason.source;
      expect(reasonOf(who.sam!)).toBe('listed in its members');
      expect(reasonOf(who.lee!)).toBe("matches the group's rule");
      expect(memberLines).toEqual(
        expected.map((e) => {
          const [a, k] = e.split(' ');
          return `${a} ${who[k!]}`;
        }),
      );
      // Access rules read the group at its desired membership: lee and sam are created now; old loses it.
      const creates = p.changes
        .filter((c) => c.kind === 'account' && c.action === 'create')
        .map((c) => c.account.key);
      expect(creates).toEqual(mode === 'authoritative' ? [who.lee, who.sam] : [who.lee, who.old, who.sam]);
    },
  );

  it('order: group create < membership grant', () => {
    const p = plan(
      makePolicy({
        groups: [admins({ members: ['sam.admin@acme.test', 'ana.lopez@acme.test'], rule: undefined })],
      }),
      snapshots({
        okta: okta([{ login: 'sam.admin@acme.test' }, { login: ANA }]),
        salesforce: [salesforce('prod', [])],
      }),
    );
    expect(lines(p)).toEqual([
      'create okta.group["Salesforce Admins"]',
      `grant ${memberAddr('okta', 'Salesforce Admins', ANA)}`,
      `grant ${memberAddr('okta', 'Salesforce Admins', 'sam.admin@acme.test')}`,
    ]);
    const create = p.changes[0]!;
    expect(create.after).toEqual({ name: 'Salesforce Admins', description: null });
    for (const g of p.changes.slice(1)) expect(g.dependsOn).toEqual([create.id]);
  });
});
