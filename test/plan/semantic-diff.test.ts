import { describe, expect, it } from '@jest/globals';
import { countPolicyChanges, diffPolicies, diffValues } from '../../src/plan/semantic-diff.js';
import { makePolicy, type PolicyInput } from '../support/builders.js';

const policy = (over: PolicyInput = {}) =>
  makePolicy({ identity: { source: 'okta', match: ['federationId', 'email'] }, ...over });

describe('diffValues', () => {
  it('reports unordered lists as added and removed, and ignores their order', () => {
    expect(diffValues('permissionSets', ['A', 'B'], ['B', 'C'])).toEqual([
      { path: 'permissionSets', added: ['C'], removed: ['A'] },
    ]);
    expect(diffValues('permissionSets', ['A', 'B'], ['B', 'A'])).toEqual([]);
  });

  it('keeps order where it means something (match precedence, transfer recipients)', () => {
    expect(diffValues('identity.match', ['email', 'login'], ['login', 'email'])).toEqual([
      { path: 'identity.match', before: ['email', 'login'], after: ['login', 'email'] },
    ]);
  });

  it('shows a condition whole rather than key by key', () => {
    expect(
      diffValues('when', { oktaGroup: 'Sales' }, { all: [{ oktaGroup: 'Sales' }, { oktaGroup: 'EMEA' }] }),
    ).toEqual([
      {
        path: 'when',
        before: { oktaGroup: 'Sales' },
        after: { all: [{ oktaGroup: 'Sales' }, { oktaGroup: 'EMEA' }] },
      },
    ]);
  });

  it('compares lists of items with ids by id', () => {
    expect(
      diffValues(
        'identity.populations',
        [{ id: 'a', owner: 'onelogin', crossProvision: false }],
        [{ id: 'a', owner: 'onelogin', crossProvision: true }],
      ),
    ).toEqual([{ path: 'identity.populations.a.crossProvision', before: false, after: true }]);
  });
});

describe('diffPolicies', () => {
  const rule = { id: 'sales', when: { oktaGroup: 'Sales' }, grants: { prod: { profile: 'Sales User' } } };

  it('finds added, removed and changed rules, mirrors, links and guard rails', () => {
    const base = policy({
      access: [rule, { id: 'old', when: { oktaGroup: 'Old' }, grants: { '*': { permissionSets: ['X'] } } }],
      mirrors: [{ id: 'm', direction: 'okta-to-onelogin', pairs: [{ okta: 'A', onelogin: 'A' }] }],
      guardrails: {
        protectedAccounts: ['a@x.test'],
        sensitive: [{ org: '*', permissionSet: 'Modify_All_Data' }],
      },
    });
    const head = policy({
      access: [
        {
          ...rule,
          grants: { prod: { profile: 'Sales User', role: 'Rep' }, emea: { profile: 'Sales User' } },
        },
        { id: 'new', when: { oneloginRole: 'New' }, grants: { prod: { permissionSetGroups: ['G'] } } },
      ],
      mirrors: [
        {
          id: 'm',
          direction: 'okta-to-onelogin',
          pairs: [
            { okta: 'A', onelogin: 'A' },
            { okta: 'B', onelogin: 'B' },
          ],
        },
      ],
      links: [{ person: 'ana@x.test', salesforce: { prod: null }, ticket: 'T-1' }],
      guardrails: {
        protectedAccounts: ['a@x.test', 'b@x.test'],
        sensitive: [{ org: '*', permissionSet: 'Modify_All_Data' }],
        separationOfDuties: [{ id: 'sod', entitlements: [{ permissionSet: 'A' }, { permissionSet: 'B' }] }],
      },
    });
    const diff = diffPolicies(base, head);
    expect(diff.access.map((c) => [c.change, c.id])).toEqual([
      ['added', 'new'],
      ['removed', 'old'],
      ['changed', 'sales'],
    ]);
    expect(diff.access[2]!.fields).toEqual([
      { path: 'grants.emea', after: { profile: 'Sales User' } },
      { path: 'grants.prod.role', after: 'Rep' },
    ]);
    expect(diff.mirrors[0]!.fields).toEqual([{ path: 'pairs', added: [{ okta: 'B', onelogin: 'B' }] }]);
    expect(diff.links.map((c) => [c.change, c.id])).toEqual([['added', 'ana@x.test']]);
    expect(diff.separationOfDuties.map((c) => [c.change, c.id])).toEqual([['added', 'sod']]);
    expect(diff.guardrails).toEqual([{ path: 'guardrails.protectedAccounts', added: ['b@x.test'] }]);
    expect(countPolicyChanges(diff)).toBe(7);
  });

  it('keys managed groups by platform and name and lists member changes', () => {
    const diff = diffPolicies(
      policy({ groups: [{ platform: 'okta', name: 'Admins', members: ['a', 'b'] }] }),
      policy({
        groups: [
          { platform: 'okta', name: 'Admins', members: ['b', 'c'] },
          { platform: 'onelogin', name: 'Admins', members: ['z'] },
        ],
      }),
    );
    expect(diff.groups.map((g) => [g.change, g.id, g.membersAdded, g.membersRemoved])).toEqual([
      ['changed', 'okta:Admins', ['c'], ['a']],
      ['added', 'onelogin:Admins', ['z'], []],
    ]);
  });

  it('sees identity and lifecycle changes', () => {
    const diff = diffPolicies(
      policy(),
      policy({
        identity: {
          source: 'okta',
          match: ['federationId', 'email'],
          scope: { exclude: [{ oktaGroup: 'Bots' }] },
        },
        lifecycle: { salesforce: { '*': { freeze: false } } },
      }),
    );
    expect(diff.identity).toEqual([{ path: 'identity.scope', after: { exclude: [{ oktaGroup: 'Bots' }] } }]);
    expect(diff.lifecycle).toEqual([{ path: 'lifecycle.salesforce', after: { '*': { freeze: false } } }]);
  });
});
