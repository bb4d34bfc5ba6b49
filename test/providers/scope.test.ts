import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Policy } from '../../src/policy/policy.js';
import { loadPolicy } from '../../src/policy/validate.js';
import { snapshotScope } from '../../src/providers/scope.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('snapshotScope', () => {
  it('names exactly the groups, roles and Salesforce fields the demo policy references', async () => {
    const result = await loadPolicy(join(root, 'policies'), { today: '2026-11-23' });
    expect(result.diagnostics).toEqual([]);
    expect(snapshotScope(result.policy!)).toEqual({
      oktaApps: [],
      oneloginApps: [],
      oktaGroups: [
        'EMEA',
        'Finance',
        'Globex Sales',
        'Globex Support',
        'Production Support Temporary Access',
        'Sales',
        'Sales Managers',
        'Salesforce Admins',
        'Service Accounts',
        'Support',
      ],
      oneloginRoles: ['Globex Sales', 'Globex Salesforce Users', 'Globex Support'],
      includeDeprovisioned: true,
      salesforceFields: ['City', 'Department', 'EmployeeNumber', 'ManagerId', 'Phone', 'Title'],
      // UC-14, UC-15: only the Contact and Account fields the contact declarations compare.
      salesforceContacts: {
        prod: {
          accountFields: ['Name', 'Website'],
          contactFields: [
            'Accord_Id__c',
            'Accord_Inactive__c',
            'Accord_Source__c',
            'Department',
            'Email',
            'FirstName',
            'LastName',
            'Phone',
            'Title',
          ],
          externalIdFields: ['Accord_Id__c'],
        },
      },
      // UC-16: open Cases of the one type a salesforceCase condition names, in prod only.
      salesforceCases: { prod: ['Access Request'] },
    });
  });

  it('collects every place a policy can name a group or role, sorted and without duplicates', () => {
    const policy = {
      access: [
        {
          id: 'r',
          when: {
            all: [
              { oktaGroup: 'b-rule' },
              { app: 'h-app' },
              { not: { any: [{ oneloginRole: 'r-rule' }, { oktaGroup: 'b-rule' }] } },
            ],
          },
          grants: {},
        },
      ],
      identity: {
        source: 'okta',
        scope: { include: [{ oktaGroup: 'c-include' }], exclude: [{ oneloginRole: 'r-exclude' }] },
        populations: [{ id: 'p', owner: 'onelogin', when: { oneloginRole: 'r-population' } }],
        attributes: [
          { from: 'okta', to: 'salesforce.emea', fields: { Title: '{title}' } },
          { from: 'okta', to: 'salesforce', fields: { Title: '{title}', Division: '{division}' } },
          { from: 'onelogin', to: 'okta', fields: { department: '{department}' } },
        ],
      },
      groups: [
        { platform: 'onelogin', name: 'r-managed', rule: { oktaGroup: 'a-managed-rule' } },
        { platform: 'okta', name: 'd-managed' },
      ],
      mirrors: [
        { id: 'm', direction: 'okta-to-onelogin', pairs: [{ okta: 'e-mirror', onelogin: 'r-mirror' }] },
      ],
      guardrails: {
        sensitive: [{ oktaGroup: 'f-sensitive' }, { org: '*', permissionSet: 'X' }],
        separationOfDuties: [{ id: 's', entitlements: [{ oneloginRole: 'r-sod' }, { oktaGroup: 'g-sod' }] }],
      },
    } as unknown as Policy;
    expect(snapshotScope(policy)).toEqual({
      // The source and the population's owner both own people, so both read the app.
      oktaApps: ['h-app'],
      oneloginApps: ['h-app'],
      oktaGroups: ['a-managed-rule', 'b-rule', 'c-include', 'd-managed', 'e-mirror', 'f-sensitive', 'g-sod'],
      oneloginRoles: ['r-exclude', 'r-managed', 'r-mirror', 'r-population', 'r-rule', 'r-sod'],
      includeDeprovisioned: true,
      salesforceFields: ['Division', 'Title'],
    });
  });

  it('reads Salesforce Phone only when a Salesforce match key is phone', () => {
    const base = { access: [], groups: [], mirrors: [], guardrails: {} };
    const fields = (identity: Record<string, unknown>) =>
      snapshotScope({ ...base, identity: { source: 'okta', ...identity } } as unknown as Policy)
        .salesforceFields;
    expect(fields({})).toEqual([]);
    expect(fields({ match: ['email', 'phone'] })).toEqual(['Phone']);
    expect(fields({ match: ['phone'], matchOn: { salesforce: ['email'] } })).toEqual([]);
    expect(fields({ matchOn: { salesforce: ['phone'] } })).toEqual(['Phone']);
  });

  it('reads LastLoginDate only when the policy judges inactivity', () => {
    const scope = (lifecycle: Record<string, unknown>) =>
      snapshotScope({
        access: [],
        groups: [],
        mirrors: [],
        guardrails: {},
        identity: { source: 'okta' },
        lifecycle,
      } as unknown as Policy).salesforceFields;
    expect(scope({ orphans: 'freeze' })).toEqual([]);
    expect(scope({ inactivity: { afterDays: 90, action: 'report' } })).toEqual(['LastLoginDate']);
  });
});
