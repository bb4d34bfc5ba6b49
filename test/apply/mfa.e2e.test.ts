/**
 * UC-17 MFA compliance, end to end through the real clients (@okta/okta-sdk-nodejs for factors and
 * the System Log, jsforce for Salesforce): the demo policy (less its exception, which grants
 * Report_Builder too) plus two rules. Sales people whose Okta account has had no active factor for
 * more than 14 days get the restrictive MFA_Restricted permission set; only Sales people not in
 * that state keep Report_Builder (the "sensitive" one here). Enrolling and resetting factors in
 * Okta moves both at the next plan, which converges after apply. Factor calls are counted.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '@accord/sandbox';
import { loopbackSandbox, policiesDir, scratch } from './support/harness.js';
import { accordInProcess } from './support/in-process.js';

let sandbox: Sandbox;
let dir: ReturnType<typeof scratch>;
let policies: string;

const RESTRICTED = 'MFA_Restricted';
const SENSITIVE = 'Report_Builder';
const FACTORS = '/api/v1/users/:userId/factors';

interface PlanJson {
  changes: { action: string; address: string; person?: string }[];
  findings?: { code: string; person?: string; message: string }[];
}

const run = (command: 'plan' | 'apply', ...extra: string[]) =>
  accordInProcess(sandbox, [
    command,
    '--policies',
    policies,
    '--state',
    dir.state,
    ...(command === 'apply' ? ['--auto-approve', '--allow-large-change', '--audit', dir.audit] : []),
    ...extra,
  ]);
const planJson = async (): Promise<PlanJson & { factorCalls: number }> => {
  sandbox.instrument.reset();
  const r = await run('plan', '--format', 'json');
  expect(r.status).toBe(0);
  const factorCalls = sandbox.instrument.count({ tenant: 'okta', route: FACTORS });
  return { ...(JSON.parse(r.stdout) as PlanJson), factorCalls };
};
const people = (plan: PlanJson, action: string, set: string) =>
  plan.changes
    .filter(
      (c) =>
        c.action === action &&
        c.address.includes(`salesforce.prod`) &&
        c.address.includes(`permissionSet["${set}"]`),
    )
    .map((c) => c.person!.toLowerCase())
    .sort();

const store = () => sandbox.stores.okta;
const login = (id: string) => store().getUser(id)!.profile.login.toLowerCase();
const activeFactor = (id: string) =>
  store()
    .factors.of(id)
    .some((f) => f.status === 'ACTIVE');
const signInable = () =>
  store()
    .users()
    .filter((u) => u.status !== 'STAGED' && u.status !== 'DEPROVISIONED');
/** Active Sales members whom the demo gives a prod user (not excluded from scope). */
const salesPeople = () => {
  const sales = store().findGroupByName('Sales')!;
  const excluded = new Set(store().memberIds(store().findGroupByName('Service Accounts')?.id ?? '') ?? []);
  return store()
    .memberIds(sales.id)
    .map((id) => store().getUser(id)!)
    .filter((u) => u.status === 'ACTIVE' && !excluded.has(u.id) && u.profile.userType === 'Employee');
};

beforeAll(async () => {
  sandbox = await loopbackSandbox({ people: 80, seed: 21 });
  dir = scratch('mfa');
  policies = join(dir.dir, 'policies');
  cpSync(policiesDir, policies, { recursive: true });
  rmSync(join(policies, 'exceptions.json'));
  writeFileSync(
    join(policies, 'access', 'mfa.json'),
    JSON.stringify({
      access: [
        {
          id: 'mfa-restricted',
          description: 'Sales people without an active MFA factor after 14 days are restricted.',
          when: { all: [{ oktaGroup: 'Sales' }, { mfa: { enrolled: false, graceDays: 14 } }] },
          grants: { prod: { permissionSets: [RESTRICTED] } },
        },
        {
          id: 'reports-need-mfa',
          description: 'Report Builder only for Sales people not overdue on MFA.',
          when: { all: [{ oktaGroup: 'Sales' }, { not: { mfa: { enrolled: false, graceDays: 14 } } }] },
          grants: { prod: { permissionSets: [SENSITIVE] } },
        },
      ],
    }),
  );
  // The org's restrictive permission set (a custom one, as an admin would create it).
  const prod = sandbox.stores.salesforce.prod!;
  const template = prod.named('PermissionSet', SENSITIVE)!;
  const id = prod.nextId('PermissionSet');
  prod.write('PermissionSet', id, { ...template, Id: id, Name: RESTRICTED, Label: 'MFA Restricted' });
});
afterAll(async () => {
  await sandbox.close();
  dir.remove();
});

describe('UC-17 MFA compliance against the sandbox', () => {
  it('UC-17 restricts people past the grace, reports who and since when, follows enrolments, and converges', async () => {
    // A Sales hire activated today, with no factor yet: inside the grace.
    const hire = store().createUser({
      profile: {
        login: 'new.seller@acme.test',
        email: 'new.seller@acme.test',
        firstName: 'New',
        lastName: 'Seller',
        userType: 'Employee',
        department: 'Sales',
      },
      password: true,
      activate: true,
      groupIds: [store().findGroupByName('Sales')!.id],
    });

    const first = await planJson();
    // One factor call per Okta account that can sign in; none for staged or deprovisioned ones.
    expect(first.factorCalls).toBe(signInable().length);

    const sales = salesPeople();
    const enrolled = sales.filter((u) => activeFactor(u.id)).map((u) => login(u.id));
    const overdue = sales.filter((u) => !activeFactor(u.id) && u.id !== hire.id).map((u) => login(u.id));
    expect(enrolled.length).toBeGreaterThan(0);
    expect(overdue.length).toBeGreaterThan(0);

    const table: { who: string; people: string[]; restricted: boolean; sensitive: boolean }[] = [
      { who: 'enrolled', people: enrolled, restricted: false, sensitive: true },
      { who: 'not enrolled, within grace', people: [login(hire.id)], restricted: false, sensitive: true },
      { who: 'not enrolled, past grace', people: overdue, restricted: true, sensitive: false },
    ];
    const restrictedGrants = new Set(people(first, 'grant', RESTRICTED));
    const sensitiveGrants = new Set(people(first, 'grant', SENSITIVE));
    for (const row of table) {
      for (const p of row.people) {
        expect({ who: row.who, p, restricted: restrictedGrants.has(p) }).toEqual({
          who: row.who,
          p,
          restricted: row.restricted,
        });
        expect({ who: row.who, p, sensitive: sensitiveGrants.has(p) }).toEqual({
          who: row.who,
          p,
          sensitive: row.sensitive,
        });
      }
    }
    // Reported: everyone without an active factor, the hire inside the grace too, with since when.
    const reported = (first.findings ?? []).filter((f) => f.code === 'no-mfa');
    const hireFinding = reported.find((f) => f.person?.toLowerCase() === login(hire.id));
    expect(hireFinding?.message).toMatch(
      /no active MFA factor in okta since \d{4}-\d{2}-\d{2} \(0 days\); grace of 14 days ends/,
    );
    for (const p of overdue)
      expect(reported.find((f) => f.person?.toLowerCase() === p)?.message).toMatch(/grace of 14 days over/);

    // `accord report mfa`: the same people, with since when and whose grace is over.
    const report = await accordInProcess(sandbox, [
      'report',
      'mfa',
      '--policies',
      policies,
      '--state',
      dir.state,
      '--format',
      'json',
    ]);
    expect(report.status).toBe(0);
    const gaps = (
      JSON.parse(report.stdout) as {
        gaps: { person: string; overdue: boolean; rules: string[]; since: string }[];
      }
    ).gaps;
    expect(gaps.map((g) => g.person.toLowerCase()).sort()).toEqual(
      reported.map((f) => f.person!.toLowerCase()).sort(),
    );
    const hireGap = gaps.find((g) => g.person.toLowerCase() === login(hire.id))!;
    expect(hireGap).toMatchObject({ overdue: false, rules: ['reports-need-mfa'], since: hire.activated });
    for (const p of overdue)
      expect(gaps.find((g) => g.person.toLowerCase() === p)).toMatchObject({
        overdue: true,
        rules: ['mfa-restricted'],
      });

    const before = new Set(signInable().map((u) => u.id));
    expect((await run('apply')).status).toBe(0);
    // The apply created Okta accounts (Globex people cross-provisioned): only those are read.
    const created = signInable().filter((u) => !before.has(u.id));
    const settled = await planJson();
    expect(settled.changes).toEqual([]);
    expect(settled.factorCalls).toBe(created.length);
    // The unchanged org: factors come from the snapshot cache, no factor call.
    expect((await planJson()).factorCalls).toBe(0);

    // An overdue seller enrols; an enrolled one has every factor reset by an admin.
    const fixes = store().findUserByLogin(overdue[0]!)!;
    const loses = store().findUserByLogin(enrolled[0]!)!;
    store().factors.enroll(fixes.id, 'push');
    store().factors.resetAll(loses.id);

    const next = await planJson();
    expect(next.factorCalls).toBe(2);
    expect(people(next, 'revoke', RESTRICTED)).toEqual([overdue[0]]);
    expect(people(next, 'grant', SENSITIVE)).toEqual([overdue[0]]);
    expect(people(next, 'grant', RESTRICTED)).toEqual([enrolled[0]]);
    expect(people(next, 'revoke', SENSITIVE)).toEqual([enrolled[0]]);
    expect((await run('apply')).status).toBe(0);
    const done = await planJson();
    expect(done.changes).toEqual([]);
    expect(done.factorCalls).toBe(0);
  });
});
