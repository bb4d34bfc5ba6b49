/** Conditions: every form, case rules and globs (the suffix fast path and the general one agree). */
import { describe, expect, it } from '@jest/globals';
import { matches, matchesAnyGlob, type PersonFacts } from '../../src/compile/conditions.js';
import type { Memberships } from '../../src/compile/memberships.js';
import type { Condition } from '../../src/policy/types.js';

const names = (...list: string[]): Memberships => new Set(list);
const facts = (attributes: Record<string, string | null>, groups: string[] = []): PersonFacts => ({
  attributes,
  oktaGroups: names(...groups),
  oneloginRoles: names('Globex Sales'),
  apps: new Set(['salesforce']),
});
const ana = facts({ email: 'Ana.Lopez@Acme.test', department: 'Sales', title: '' }, ['Sales', 'EMEA']);

describe('conditions', () => {
  it.each<[string, Condition, boolean]>([
    ['okta group', { oktaGroup: 'Sales' }, true],
    ['okta group names are exact', { oktaGroup: 'sales' }, false],
    ['onelogin role', { oneloginRole: 'Globex Sales' }, true],
    ['app', { app: 'Salesforce' }, true],
    ['app labels ignore case', { app: 'SALESFORCE' }, true],
    ['app not assigned', { app: 'Slack' }, false],
    ['equals ignores case', { attribute: { name: 'department', equals: 'SALES' } }, true],
    ['equals on a missing attribute', { attribute: { name: 'city', equals: 'Paris' } }, false],
    ['in', { attribute: { name: 'department', in: ['Support', 'sales'] } }, true],
    ['not in', { attribute: { name: 'department', in: ['Support'] } }, false],
    ['present', { attribute: { name: 'department', present: true } }, true],
    ['empty is not present', { attribute: { name: 'title', present: true } }, false],
    ['absent', { attribute: { name: 'city', present: false } }, true],
    ['suffix glob ignores case', { attribute: { name: 'email', matches: '*@acme.TEST' } }, true],
    ['suffix glob, other domain', { attribute: { name: 'email', matches: '*@globex.test' } }, false],
    ['glob with ?', { attribute: { name: 'email', matches: 'ana.lope?@*' } }, true],
    ['glob anchored at both ends', { attribute: { name: 'email', matches: 'ana*' } }, true],
    ['glob with a middle star', { attribute: { name: 'email', matches: 'a*z@acme.test' } }, true],
    ['glob with a middle star, no match', { attribute: { name: 'email', matches: 'a*x@acme.test' } }, false],
    ['glob metacharacters are literal', { attribute: { name: 'email', matches: '*@acme+test' } }, false],
    ['all', { all: [{ oktaGroup: 'Sales' }, { oktaGroup: 'EMEA' }] }, true],
    ['all with one miss', { all: [{ oktaGroup: 'Sales' }, { oktaGroup: 'APAC' }] }, false],
    ['any', { any: [{ oktaGroup: 'APAC' }, { oktaGroup: 'EMEA' }] }, true],
    ['not', { not: { oktaGroup: 'Sales' } }, false],
    ['nested', { all: [{ not: { oktaGroup: 'APAC' } }, { any: [{ oneloginRole: 'Globex Sales' }] }] }, true],
    ['empty condition matches nobody', {}, false],
  ])('%s', (_name, condition, expected) => {
    expect(matches(condition, ana)).toBe(expected);
    // Evaluating again uses the compiled form: same answer.
    expect(matches(condition, ana)).toBe(expected);
  });

  // UC-16: Salesforce facts of the person, by org.
  const sourced: PersonFacts = {
    ...ana,
    salesforce: {
      prod: {
        fields: { Territory__c: 'EMEA', 'Profile.Name': 'Sales User', Region__c: null },
        cases: [{ type: 'Access Request', subject: 'Temporary access: production support' }],
      },
      emea: { fields: {}, cases: [] },
    },
  };
  const field = (
    test: Omit<NonNullable<Condition['salesforceField']>, 'org' | 'name'>,
    name = 'Territory__c',
  ) => ({
    salesforceField: { org: 'prod', name, ...test },
  });
  it.each<[string, Condition, boolean]>([
    ['UC-16 salesforceField equals ignores case', field({ equals: 'emea' }), true],
    ['UC-16 salesforceField in', field({ in: ['APAC', 'EMEA'] }), true],
    ['UC-16 salesforceField matches', field({ matches: 'E*' }), true],
    ['UC-16 salesforceField other value', field({ equals: 'AMER' }), false],
    ['UC-16 salesforceField null is not present', field({ present: false }, 'Region__c'), true],
    [
      'UC-16 salesforceField in another org',
      { salesforceField: { org: 'emea', name: 'Territory__c', present: true } },
      false,
    ],
    [
      'UC-16 salesforceCase open of the type',
      { salesforceCase: { org: 'prod', type: 'Access Request' } },
      true,
    ],
    [
      'UC-16 salesforceCase types are exact',
      { salesforceCase: { org: 'prod', type: 'access request' } },
      false,
    ],
    [
      'UC-16 salesforceCase subject glob',
      { salesforceCase: { org: 'prod', type: 'Access Request', subject: '*PRODUCTION*' } },
      true,
    ],
    [
      'UC-16 salesforceCase subject miss',
      { salesforceCase: { org: 'prod', type: 'Access Request', subject: '*portal*' } },
      false,
    ],
    [
      'UC-16 salesforceCase in an org without one',
      { salesforceCase: { org: 'emea', type: 'Access Request' } },
      false,
    ],
  ])('%s', (_name, condition, expected) => {
    expect(matches(condition, sourced)).toBe(expected);
    // Without Salesforce facts (a policy that reads none), nothing Salesforce holds.
    expect(matches(condition, ana)).toBe(condition.salesforceField?.present === false);
  });

  it('protected-account globs', () => {
    const patterns = ['breakglass-*@acme.test', '*@svc.acme.test', 'root@acme.test'];
    expect(matchesAnyGlob('breakglass-01@acme.test', patterns)).toBe(true);
    expect(matchesAnyGlob('Deploy@SVC.acme.test', patterns)).toBe(true);
    expect(matchesAnyGlob('ROOT@acme.test', patterns)).toBe(true);
    expect(matchesAnyGlob('ana@acme.test', patterns)).toBe(false);
    expect(matchesAnyGlob('svc.acme.test', patterns)).toBe(false);
  });
});
