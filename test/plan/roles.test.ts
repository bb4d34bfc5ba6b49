/** Issue 14, item 7: a grant may name a role by UserRole.Name or by its DeveloperName. */
import { describe, expect, it } from '@jest/globals';
import type { AccessRule } from '../../src/policy/types.js';
import {
  find,
  lines,
  makePolicy,
  okta,
  plan,
  salesforce,
  sfUserAddr,
  snapshots,
} from '../support/builders.js';

const ANA = 'ana.lopez@acme.test';
const rule = (role: string): AccessRule => ({
  id: 'sales',
  when: { oktaGroup: 'Sales' },
  grants: { prod: { profile: 'Sales User', role } },
});
const org = (users: Parameters<typeof salesforce>[1]) => {
  const o = salesforce('prod', users);
  o.roles = o.roles.map((r) => ({ ...r, developerName: r.name.replace(/ /g, '_') }));
  return o;
};
const run = (role: string, users: Parameters<typeof salesforce>[1] = []) =>
  plan(
    makePolicy({ access: [rule(role)] }),
    snapshots({ okta: okta([{ login: ANA, groups: ['Sales'] }]), salesforce: [org(users)] }),
  );

describe('roles by Name or DeveloperName', () => {
  it.each(['Sales Rep', 'Sales_Rep'])('"%s" creates the user with the role named Sales Rep', (role) => {
    const p = run(role);
    expect((find(p, 'create', sfUserAddr('prod', ANA)).after as { UserRole: string }).UserRole).toBe(
      'Sales Rep',
    );
    expect(p.findings.filter((f) => f.code === 'unknown-entitlement')).toEqual([]);
  });

  it('a live user in that role has nothing to change, whichever way the grant names it', () => {
    const live = [{ username: ANA, federationId: ANA, profile: 'Sales User', role: 'Sales Rep' }];
    expect(lines(run('Sales_Rep', live))).toEqual([]);
    expect(lines(run('Sales Rep', live))).toEqual([]);
  });

  it('a role that is neither is unknown', () => {
    expect(run('Sales_Wizard').findings.map((f) => f.message)).toContain(
      'role "Sales_Wizard" does not exist in Salesforce org prod; it is not assigned',
    );
  });
});
