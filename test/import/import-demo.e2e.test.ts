/**
 * UC-27 on the demo estate: `accord import` against the demo sandbox (real providers over HTTP,
 * the CLI in-process), then `accord validate` on what it wrote, then `accord plan` on it.
 *
 * The issue's target is a plan of 0 changes. On the demo estate 24 remain, all of one kind, and
 * that is deliberate: seven people have left (Okta DEPROVISIONED) and still have active Salesforce
 * users (Sam Leaver, Robin Gone and five generated leavers, one of them in both orgs). The imported
 * policy keeps accord's default lifecycle, under which a leaver is offboarded: 7 users frozen,
 * 10 permission set assignments revoked, 7 users deactivated. Importing a policy that keeps
 * leavers' access (lifecycle `keep`) would reach 0 but write the security hole into Git; the
 * report lists these leavers instead. Nothing else changes: no grant, no revocation, no user
 * created, no field, no group, for anybody who is still here.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '@accord/sandbox';
import { IMPORT_SCOPE, type ImportRun } from '../../src/import/run-import.js';
import { createProviders } from '../../src/providers/registry.js';
import { snapshotAll } from '../../src/providers/snapshot-all.js';
import { platformsFromEnv } from '../../src/import/identity.js';
import type { Plan } from '../../src/plan/types.js';
import { loopbackSandbox, scratch } from '../apply/support/harness.js';
import { accordInProcess } from '../apply/support/in-process.js';

let sandbox: Sandbox;
const dir = scratch('import-demo');
const out = join(dir.dir, 'policies');
let report: ImportRun['report'] & { written: string[] };

beforeAll(async () => {
  sandbox = await loopbackSandbox({ people: 300, seed: 42 });
  const run = await accordInProcess(sandbox, ['import', '--out', out, '--format', 'json']);
  expect(run.stderr).not.toContain('error');
  expect(run.status).toBe(0);
  report = JSON.parse(run.stdout) as typeof report;
}, 60_000);

afterAll(async () => {
  await sandbox.close();
  dir.remove();
});

describe('UC-27 accord import on the demo estate', () => {
  it('reads every Okta group and OneLogin role, named by no policy (SnapshotScope.allGroups)', async () => {
    const env = { ...process.env, ...sandbox.env };
    const snapshots = await snapshotAll(
      createProviders({ platforms: platformsFromEnv(env), env }),
      IMPORT_SCOPE,
    );
    expect(snapshots.okta!.groups.map((g) => g.name).sort()).toEqual(
      sandbox.company.okta.groups.map((g) => g.name).sort(),
    );
    expect(snapshots.onelogin!.groups.map((g) => g.name).sort()).toEqual(
      [...sandbox.company.onelogin.roles].sort(),
    );
    expect(snapshots.okta!.missingGroups).toEqual([]);
    expect(Object.keys(snapshots.salesforce).sort()).toEqual(['emea', 'prod']);
  });

  it('writes the five policy files', async () => {
    expect((await readdir(out)).sort()).toEqual([
      'access.json',
      'exceptions.json',
      'guardrails.json',
      'identity.json',
      'platforms.json',
    ]);
  });

  it('recovers the demo policy’s rules from who holds what, with precision and coverage', () => {
    const when = (label: string) => report.rules.find((r) => r.when === label);
    const cases: [label: string, org: string, kind: string, value: string][] = [
      ['okta:Sales', 'prod', 'profile', 'Sales User'],
      ['okta:Sales', 'prod', 'role', 'Sales Rep'],
      ['okta:Sales Managers', 'prod', 'role', 'Sales Manager'],
      ['okta:Sales Managers', 'prod', 'permissionSetGroup', 'Sales_Leadership'],
      ['okta:Support', 'prod', 'profile', 'Support User'],
      ['okta:Support', 'prod', 'permissionSet', 'Knowledge_User'],
      ['okta:Finance', 'prod', 'permissionSet', 'Billing_Approver'],
      ['okta:Salesforce Admins', 'prod', 'profile', 'System Administrator'],
      ['okta:Salesforce Admins', 'emea', 'permissionSet', 'Modify_All_Data'],
      ['okta:EMEA & okta:Sales', 'emea', 'role', 'EMEA Sales Rep'],
      ['okta:EMEA & okta:Support', 'emea', 'profile', 'Support User'],
      ['onelogin:Globex Sales', 'prod', 'permissionSet', 'Globex_Pipeline'],
    ];
    for (const [label, org, kind, value] of cases) {
      const grant = when(label)?.grants.find((g) => g.org === org && g.kind === kind && g.value === value);
      expect({ label, org, kind, value, found: grant !== undefined }).toEqual({
        label,
        org,
        kind,
        value,
        found: true,
      });
      expect(grant!.precision).toBeGreaterThanOrEqual(0.9);
      expect(grant!.coverage).toBeGreaterThan(0);
    }
    // Kim moved from Support to Sales but Salesforce still shows Support: one individual rule
    // (profile, role) and one exception (Knowledge_User, Service_Cloud_User); Chris's hand-made
    // Data_Export is the other exception.
    expect(report.individualRules).toBe(1);
    expect(report.exceptions).toBe(2);
    expect(report.exceptionGrants).toBe(3);
  });

  it('lists orphans, protected candidates, the ambiguous match and the leavers', () => {
    expect(report.orphans.map((o) => `${o.org} ${o.username}`).sort()).toEqual([
      'emea breakglass-1@acme.test.emea',
      'emea integration@acme.test.emea',
      'emea sales.ops@acme.test.emea',
      'prod breakglass-1@acme.test',
      'prod integration@acme.test',
      'prod sales.ops@acme.test',
    ]);
    expect(report.protectedCandidates.map((c) => c.username)).toEqual(
      expect.arrayContaining(['integration@acme.test', 'breakglass-1@acme.test', 'sam.admin@acme.test']),
    );
    expect(report.conflicts.map((c) => c.person)).toEqual(['pat.shared@acme.test']);
    expect(report.leavers.filter((l) => l.status === 'deprovisioned')).toHaveLength(7);
  });

  it('validate accepts what import wrote', async () => {
    const run = await accordInProcess(sandbox, ['validate', '-p', out]);
    expect(run.stdout).toContain('Policy is valid');
    expect(run.status).toBe(0);
  });

  it('plan on it: 24 changes, every one the default lifecycle offboarding the 7 leavers', async () => {
    const run = await accordInProcess(sandbox, ['plan', '-p', out, '--state', dir.state, '--format', 'json']);
    expect(run.status).toBe(0);
    const plan = JSON.parse(run.stdout) as Plan;
    const kinds = new Map<string, number>();
    for (const c of plan.changes) {
      const key = `${c.action} ${c.kind} ${c.reason.rule}`;
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(kinds)).toEqual({
      'freeze account lifecycle.statuses.deprovisioned': 7,
      'revoke permissionSet lifecycle.statuses.deprovisioned': 10,
      'deactivate account lifecycle.statuses.deprovisioned': 7,
    });
    expect(plan.changes).toHaveLength(24);
    // Every change is for one of the leavers the import report listed.
    const leavers = new Set(report.leavers.map((l) => l.person));
    expect(plan.changes.filter((c) => !leavers.has(c.person ?? ''))).toEqual([]);
    // The in-process plan in the report is the same plan.
    expect(report.plan.changes).toBe(24);
  });

  it('refuses to overwrite the files without --force, and overwrites them with it', async () => {
    const refused = await accordInProcess(sandbox, ['import', '--out', out]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('import does not overwrite policy files');
    const forced = await accordInProcess(sandbox, ['import', '--out', out, '--force']);
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain('accord plan on the imported policy: 24 changes');
  });
});
