/**
 * UC-17 MFA compliance, end to end through the real clients (@okta/okta-sdk-nodejs for factors and
 * the System Log, jsforce for Salesforce): the demo policy (less its exception, which grants
 * Report_Builder too) plus two rules. Sales people whose Okta account has had no active factor for
 * more than 14 days get the restrictive MFA_Restricted permission set; only Sales people not in
 * that state keep Report_Builder (the "sensitive" one here). Enrolling and resetting factors in
 * Okta moves both at the next plan, which converges after apply. Factor calls are counted.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  expectFlipConverges,
  expectGrants,
  mfaEstate,
  RESTRICTED,
  SENSITIVE,
  type MfaEstate,
} from './support/mfa.js';

const FACTORS = '/api/v1/users/:userId/factors';
let estate: MfaEstate;
const planJson = async () => {
  const plan = await estate.planJson();
  return { ...plan, factorCalls: plan.calls };
};
const run = (command: 'plan' | 'apply') => estate.run(command);

const store = () => estate.sandbox.stores.okta;
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
  estate = await mfaEstate({
    people: 80,
    name: 'mfa',
    counted: { tenant: 'okta', route: FACTORS },
    rules: [
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
  });
});
afterAll(() => estate.close());

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

    const table = [
      { who: 'enrolled', people: enrolled, restricted: false, sensitive: true },
      { who: 'not enrolled, within grace', people: [login(hire.id)], restricted: false, sensitive: true },
      { who: 'not enrolled, past grace', people: overdue, restricted: true, sensitive: false },
    ];
    expectGrants(first, table);
    // Reported: everyone without an active factor, the hire inside the grace too, with since when.
    const reported = (first.findings ?? []).filter((f) => f.code === 'no-mfa');
    const hireFinding = reported.find((f) => f.person?.toLowerCase() === login(hire.id));
    expect(hireFinding?.message).toMatch(
      /no active MFA factor in okta since \d{4}-\d{2}-\d{2} \(0 days\); grace of 14 days ends/,
    );
    for (const p of overdue)
      expect(reported.find((f) => f.person?.toLowerCase() === p)?.message).toMatch(/grace of 14 days over/);

    // `accord report mfa`: the same people, with since when and whose grace is over.
    const report = await estate.report();
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

    await expectFlipConverges(estate, overdue[0]!, enrolled[0]!, 2);
  });
});
