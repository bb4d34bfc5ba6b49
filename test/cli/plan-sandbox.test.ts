import { describe, expect, it } from '@jest/globals';
import type { Plan } from '../../src/plan/types.js';
import { runCli } from './run-cli.js';

/** End to end: `accord plan --sandbox` reads the three emulated platforms over loopback HTTP. */
describe('accord plan --sandbox on the demo company (UC-23)', () => {
  const run = runCli(['plan', '--sandbox', '--format', 'json', '--detailed-exitcode']);
  const plan = JSON.parse(run.stdout) as Plan;
  const has = (action: string, address: string) =>
    plan.changes.some((c) => c.action === action && c.address === address);
  const prod = (u: string) => `salesforce.prod.user["${u}"]`;

  it('exits 2 with --detailed-exitcode because there are changes, and writes no secret', () => {
    expect(run.status).toBe(2);
    for (const secret of ['token-not-a-secret', 'client-secret', 'consumer-secret', '!AQsandbox'])
      expect(run.stdout + run.stderr).not.toContain(secret);
    expect(plan.formatVersion).toBe(2);
  });

  it('UC-01 provisions the new hire in both orgs, grants after the create', () => {
    expect(has('create', prod('nico.newhire@acme.test'))).toBe(true);
    expect(has('create', 'salesforce.emea.user["nico.newhire@acme.test.emea"]')).toBe(true);
    const create = plan.changes.findIndex(
      (c) => c.action === 'create' && c.address === prod('nico.newhire@acme.test'),
    );
    const grant = plan.changes.findIndex(
      (c) => c.address === `${prod('nico.newhire@acme.test')}.permissionSet["Sales_Cloud_User"]`,
    );
    expect(grant).toBeGreaterThan(create);
  });

  it('UC-02 follows the role change: profile and role updated, old permission sets revoked', () => {
    const update = plan.changes.find(
      (c) => c.action === 'update' && c.address === prod('kim.mover@acme.test'),
    );
    expect(update?.after).toEqual({ Profile: 'Sales User', UserRole: 'Sales Rep' });
    expect(has('revoke', `${prod('kim.mover@acme.test')}.permissionSet["Service_Cloud_User"]`)).toBe(true);
  });

  it('UC-06/07 offboards leavers: freeze, transfer to manager or successor, deactivate', () => {
    for (const leaver of ['sam.leaver@acme.test', 'robin.gone@acme.test']) {
      expect(has('freeze', prod(leaver))).toBe(true);
      expect(has('deactivate', prod(leaver))).toBe(true);
      const transfer = plan.changes.find((c) => c.address === `${prod(leaver)}.records["Opportunity"]`);
      expect(transfer?.after).toEqual({ to: { user: 'dana.boss@acme.test' } });
      const order = ['freeze', 'transfer', 'deactivate'].map((a) =>
        plan.changes.findIndex((c) => c.action === a && c.address.startsWith(prod(leaver))),
      );
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    }
    expect(plan.changes.some((c) => (c.action as string) === 'delete')).toBe(false);
  });

  it('UC-20 every change of the demo names its rule and its fact (what the audit trail records)', () => {
    const unexplained = plan.changes.filter((c) => !c.reason.rule || !c.reason.source).map((c) => c.address);
    expect(unexplained).toEqual([]);
    const lifecycle = plan.changes.filter((c) => c.reason.rule?.startsWith('lifecycle.statuses.'));
    expect(lifecycle.length).toBeGreaterThan(0);
  });

  it('reverts manual drift and grants the time-bound exception (UC-05)', () => {
    expect(has('revoke', `${prod('chris.drift@acme.test')}.permissionSet["Data_Export"]`)).toBe(true);
    expect(has('grant', `${prod('ana.lopez@acme.test')}.permissionSet["Report_Builder"]`)).toBe(true);
  });

  it('UC-13 holds back the ambiguous match and shows the links entry; links by employee number', () => {
    const conflict = plan.conflicts.find((c) => c.person === 'pat.shared@acme.test');
    expect(conflict?.kind).toBe('ambiguous');
    expect(conflict?.resolution).toMatchObject({
      person: 'pat.shared@acme.test',
      salesforce: { prod: expect.any(String) },
    });
    expect(plan.changes.some((c) => c.address.includes('pat.shared'))).toBe(false);
    // Maria's Salesforce user still has her old email: matched by employee number, not re-created.
    expect(plan.changes.some((c) => c.address.includes('maria.newname'))).toBe(false);
  });

  it('UC-09 never touches protected accounts, and stays under the deprovision cap', () => {
    expect(plan.changes.some((c) => /integration@|breakglass-|sales\.ops@/.test(c.account.key))).toBe(false);
    expect(plan.blocked).toBe(false);
    expect(plan.summary.peopleDeprovisioned).toBeGreaterThanOrEqual(2);
  });

  it('UC-10/12 cross-provisions Globex people into Okta and mirrors their roles', () => {
    expect(has('create', 'okta.user["gina.globex@globex.test"]')).toBe(true);
    const member = plan.changes.find(
      (c) => c.address === 'okta.group["Globex Sales"].member["gina.globex@globex.test"]',
    );
    const create = plan.changes.find((c) => c.address === 'okta.user["gina.globex@globex.test"]');
    expect(member?.dependsOn).toContain(create?.id);
    expect(has('grant', 'okta.group["Salesforce Admins"].member["lee.admin@acme.test"]')).toBe(true);
  });
});
