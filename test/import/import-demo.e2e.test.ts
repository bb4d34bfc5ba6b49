/**
 * UC-27 on the demo estate: `accord import` against the demo sandbox (real providers over HTTP,
 * the CLI in-process), then `accord validate` on what it wrote, then `accord plan` on it.
 *
 * The issue's target is a plan of 0 changes. On the demo estate 24 remain, all of one kind, and
 * that is deliberate: seven people have left (Okta DEPROVISIONED) and still have active Salesforce
 * users (Sam Leaver, Robin Gone and five generated leavers, one of them in both orgs). The imported
 * policy keeps accord's default lifecycle, under which a leaver is offboarded: 7 users frozen,
 * 10 permission set assignments revoked, 7 users deactivated. Importing a policy that keeps
 * leavers' access (lifecycle `keep`) would reach 0 but write the security hole into Git for every
 * future leaver too; the report lists these leavers instead, and `--hold-leavers` protects their
 * users one by one (0 changes, a warning for each held-back change). Nothing else changes: no
 * grant, no revocation, no user created, no field, no group, for anybody who is still here.
 *
 * Also here: `--policy-format ts`, the matching conflict as link decisions for review, and
 * re-import over an existing policy (its own output, a hand-made grant, the repository's demo
 * policy), which proposes only the difference.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createRecord, type Sandbox } from '@accord/sandbox';
import { IMPORT_SCOPE, type ImportRun } from '../../src/import/run-import.js';
import { createProviders } from '../../src/providers/registry.js';
import { snapshotAll } from '../../src/providers/snapshot-all.js';
import { platformsFromEnv } from '../../src/import/identity.js';
import type { PolicyDocument } from '../../src/policy/types.js';
import { loopbackSandbox, policiesDir, scratch } from '../apply/support/harness.js';
import { accordInProcess } from '../apply/support/in-process.js';
import { planCli } from './support/plan-cli.js';

const ANA = 'ana.lopez@acme.test';
const today = () => new Date().toISOString().slice(0, 10);
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

  it('writes the five policy files, and the links to decide as a note beside them', async () => {
    expect((await readdir(out)).sort()).toEqual([
      'access.json',
      'exceptions.json',
      'guardrails.json',
      'identity.json',
      'links-to-review.md',
      'platforms.json',
    ]);
  });

  it('writes the ambiguous match as link decisions for review, every one of which settles it', async () => {
    const [conflict] = report.conflicts;
    expect(conflict).toMatchObject({
      person: 'pat.shared@acme.test',
      platform: 'salesforce:prod',
      kind: 'ambiguous',
      candidates: ['pat.shared.2@acme.test', 'pat.shared@acme.test.old'],
    });
    // One choice per candidate account and "none of them": import picks none.
    expect(conflict!.choices.map((c) => c.link.salesforce)).toEqual([
      { prod: 'pat.shared.2@acme.test' },
      { prod: 'pat.shared@acme.test.old' },
      { prod: null },
    ]);
    const note = await readFile(join(out, 'links-to-review.md'), 'utf8');
    for (const { link } of conflict!.choices) expect(note).toContain(JSON.stringify(link));
    // Each, pasted into a links section, validates and leaves no conflict in the plan.
    for (const { link } of conflict!.choices) {
      const decided = join(dir.dir, `decided-${String(link.salesforce!.prod)}`);
      await cp(out, decided, { recursive: true });
      await writeFile(join(decided, 'links.json'), JSON.stringify({ links: [{ ...link, ticket: 'SEC-1' }] }));
      const plan = await planCli(sandbox, decided, dir.state);
      expect([link.salesforce, plan.conflicts]).toEqual([link.salesforce, []]);
    }
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
    const plan = await planCli(sandbox, out, dir.state);
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

  it('--policy-format ts writes definePolicy modules that validate and plan exactly as the JSON', async () => {
    const tsOut = join(dir.dir, 'policies-ts');
    const run = await accordInProcess(sandbox, ['import', '--out', tsOut, '--policy-format', 'ts']);
    expect(run.status).toBe(0);
    expect((await readdir(tsOut)).sort()).toEqual([
      'access.ts',
      'exceptions.ts',
      'guardrails.ts',
      'identity.ts',
      'links-to-review.md',
      'platforms.ts',
    ]);
    const access = await readFile(join(tsOut, 'access.ts'), 'utf8');
    expect(access).toContain(`import { definePolicy } from 'accord-access';`);
    expect(access).toContain('export default definePolicy({');
    const validated = await accordInProcess(sandbox, ['validate', '-p', tsOut]);
    expect(validated.stdout).toContain('Policy is valid: 5 documents');
    const [fromJson, fromTs] = [
      await planCli(sandbox, out, dir.state),
      await planCli(sandbox, tsOut, dir.state),
    ];
    expect(fromTs.changes).toHaveLength(24);
    expect(fromTs.changes).toEqual(fromJson.changes);
    // The same documents: the policies' digests agree.
    expect(fromTs.policyDigest).toBe(fromJson.policyDigest);
  });

  it("--hold-leavers: the 7 leavers' users go to held-leavers.json, and the plan has 0 changes", async () => {
    const heldOut = join(dir.dir, 'policies-held');
    const run = await accordInProcess(sandbox, [
      'import',
      '--out',
      heldOut,
      '--hold-leavers',
      '--format',
      'json',
    ]);
    expect(run.status).toBe(0);
    const held = JSON.parse(run.stdout) as typeof report;
    expect(held.heldLeavers).toEqual(
      [...new Set(report.leavers.map((l) => l.username.toLowerCase()))].sort(),
    );
    expect(held.heldLeavers).toHaveLength(7);
    const doc = JSON.parse(await readFile(join(heldOut, 'held-leavers.json'), 'utf8')) as PolicyDocument;
    expect(doc.guardrails).toEqual({ protectedAccounts: held.heldLeavers });
    const parsed = await planCli(sandbox, heldOut, dir.state);
    expect(parsed.changes).toEqual([]);
    // Not silent: each change the lifecycle would make is a warning on every plan.
    expect(parsed.findings.filter((f) => f.code === 'protected-account')).toHaveLength(24);
  });

  it('re-running import over what it wrote proposes nothing and writes nothing; --force imports afresh', async () => {
    const again = await accordInProcess(sandbox, ['import', '--out', out, '--format', 'json']);
    expect(again.status).toBe(0);
    const second = JSON.parse(again.stdout) as typeof report;
    expect(second.existing).toEqual({ documents: 5, rules: report.rules.length + 1, exceptions: 2 });
    expect(second.written).toEqual([]);
    expect([second.rules.length, second.individualRules, second.exceptions]).toEqual([0, 0, 0]);
    expect(second.plan.changes).toBe(24);
    expect((await readdir(out)).length).toBe(6);
    const forced = await accordInProcess(sandbox, ['import', '--out', out, '--force']);
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain('accord plan on the imported policy: 24 changes');
  });

  it('after a grant made by hand, re-import proposes only it, in a file of its own', async () => {
    const prod = sandbox.stores.salesforce.prod!;
    const user = prod.records('User').find((u) => String(u.Username).toLowerCase() === ANA)!;
    const set = prod.records('PermissionSet').find((p) => p.Name === 'API_Only')!;
    const assignment = createRecord(prod, 'PermissionSetAssignment', {
      AssigneeId: user.Id,
      PermissionSetId: set.Id,
    });
    try {
      const run = await accordInProcess(sandbox, ['import', '--out', out, '--format', 'json']);
      expect(run.status).toBe(0);
      const diff = JSON.parse(run.stdout) as typeof report;
      expect(diff.written.map((w) => basename(w))).toEqual([`import-${today()}-exceptions.json`]);
      expect([diff.rules.length, diff.individualRules, diff.exceptions, diff.exceptionGrants]).toEqual([
        0, 0, 1, 1,
      ]);
      const written = JSON.parse(await readFile(diff.written[0]!, 'utf8')) as PolicyDocument;
      expect(written.exceptions).toEqual([
        expect.objectContaining({ person: ANA, org: 'prod', permissionSets: ['API_Only'], ticket: 'IMPORT' }),
      ]);
      expect(Object.keys(written).sort()).toEqual(['$schema', 'exceptions']);
      // The folder, old files and new, validates and plans exactly the lifecycle's 24 changes.
      const validated = await accordInProcess(sandbox, ['validate', '-p', out]);
      expect(validated.stdout).toContain('Policy is valid: 6 documents');
      expect((await planCli(sandbox, out, dir.state)).changes).toHaveLength(24);
      // And once more: nothing left to propose; the day's file is not overwritten.
      const third = JSON.parse(
        (await accordInProcess(sandbox, ['import', '--out', out, '--format', 'json'])).stdout,
      ) as typeof report;
      expect(third.written).toEqual([]);
    } finally {
      prod.write('PermissionSetAssignment', assignment, undefined);
    }
  });

  it("over the repository's demo policy, proposes exactly the estate's hand-made access", async () => {
    const demo = join(dir.dir, 'demo-policies');
    await cp(policiesDir, demo, { recursive: true });
    const before = (await readdir(demo, { recursive: true })).sort();
    const run = await accordInProcess(sandbox, ['import', '--out', demo, '--format', 'json']);
    expect(run.status).toBe(0);
    const diff = JSON.parse(run.stdout) as typeof report;
    expect(diff.written.map((w) => basename(w))).toEqual([
      `import-${today()}-access.json`,
      `import-${today()}-exceptions.json`,
      `import-${today()}-guardrails.json`,
      // The demo leaves Pat's two prod users for a links decision: still to be made.
      'links-to-review.md',
    ]);
    expect((await readdir(demo, { recursive: true })).sort()).toEqual(
      [...before, ...diff.written.map((w) => basename(w))].sort(),
    );
    const docs = await Promise.all(
      diff.written
        .filter((w) => w.endsWith('.json'))
        .map(async (w) => JSON.parse(await readFile(w, 'utf8')) as PolicyDocument),
    );
    // Kim moved from Support to Sales but Salesforce still shows Support; Chris has a hand-made
    // Data_Export; the EMEA org's integration and break-glass users are not protected yet.
    expect(docs[0]!.access!.map((r) => [r.id, r.grants])).toEqual([
      ['person-kim-mover-acme-test', { prod: { profile: 'Support User', role: 'Support Agent' } }],
    ]);
    expect(docs[1]!.exceptions!.map((x) => [x.person, x.permissionSets])).toEqual([
      ['kim.mover@acme.test', ['Knowledge_User', 'Service_Cloud_User']],
      ['chris.drift@acme.test', ['Data_Export']],
    ]);
    expect(docs[2]!.guardrails!.protectedAccounts).toEqual([
      'breakglass-1@acme.test.emea',
      'integration@acme.test.emea',
    ]);
    // Nothing the demo policy declares is written again: no rule or exception id of its own.
    const ids = [...docs[0]!.access!.map((r) => r.id), ...docs[1]!.exceptions!.map((x) => x.id)];
    expect(ids.filter((id) => /^(sales|support|emea|finance|globex|salesforce|ana)-/.test(id))).toEqual([]);
    // With the proposal, nobody loses access they hold today but by the lifecycle (leavers).

    const access = new Set(['account', 'membership', 'permissionSet', 'permissionSetGroup']);
    const taken = (await planCli(sandbox, demo, dir.state)).changes.filter(
      (c) => access.has(c.kind) && ['revoke', 'deactivate', 'freeze', 'suspend'].includes(c.action),
    );
    expect(taken.length).toBeGreaterThan(0);
    expect(taken.filter((c) => !String(c.reason.rule).startsWith('lifecycle.'))).toEqual([]);
  });
});
