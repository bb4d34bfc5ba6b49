import { describe, expect, it } from '@jest/globals';
import { generateCompany, NEARLY_FULL_HEADROOM } from '../src/company.js';

describe('demo company', () => {
  it('is deterministic under a seed', () => {
    expect(generateCompany({ seed: 7, people: 200 })).toEqual(generateCompany({ seed: 7, people: 200 }));
    expect(generateCompany({ seed: 7 }).people).not.toEqual(generateCompany({ seed: 8 }).people);
  });

  it('holds the situations the demo policy must handle', () => {
    const company = generateCompany();
    const byLogin = new Map(company.people.map((p) => [p.login, p]));
    expect(byLogin.get('nico.newhire@acme.test')?.salesforce).toEqual({});
    expect(byLogin.get('sam.leaver@acme.test')?.status).toBe('deprovisioned');
    expect(byLogin.get('sam.leaver@acme.test')?.salesforce.prod?.[0]?.active).toBe(true);
    expect(byLogin.get('pat.shared@acme.test')?.salesforce.prod).toHaveLength(2);
    expect(byLogin.get('maria.newname@acme.test')?.salesforce.prod?.[0]?.email).toBe(
      'maria.oldname@acme.test',
    );
    expect(byLogin.get('chris.drift@acme.test')?.salesforce.prod?.[0]?.permissionSets).toContain(
      'Data_Export',
    );
    expect(company.salesforce.prod?.localUsers.map((u) => u.username)).toContain('integration@acme.test');
    const prodUsers = company.people.flatMap((p) => p.salesforce.prod ?? []);
    const salesforceLicense = company.salesforce.prod?.licenses.find((l) => l.name === 'Salesforce');
    const used = [...prodUsers, ...company.salesforce.prod!.localUsers].filter(
      (u) => u.active && u.profile !== 'Finance User',
    ).length;
    expect(salesforceLicense?.total).toBe(used + NEARLY_FULL_HEADROOM);
  });

  it('gives every Salesforce username once across orgs', () => {
    const company = generateCompany({ people: 2000 });
    const names = Object.values(company.salesforce).flatMap((o) => o.localUsers.map((u) => u.username));
    for (const p of company.people)
      for (const users of Object.values(p.salesforce)) names.push(...users.map((u) => u.username));
    expect(new Set(names).size).toBe(names.length);
  });
});
