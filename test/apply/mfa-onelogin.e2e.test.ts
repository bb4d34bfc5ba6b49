/**
 * UC-17 MFA compliance for OneLogin people, end to end through the real clients (the got client
 * for OneLogin devices and events, jsforce for Salesforce): the demo policy (less its exception)
 * plus two rules on the Globex sellers, whose home is OneLogin. Those whose OneLogin account has
 * had no MFA device for more than 14 days get MFA_Restricted; only the others keep Report_Builder.
 * Registering and removing devices in OneLogin moves both at the next plan (seen through events
 * 23 and 24), which converges after apply. Device calls are counted.
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

const DEVICES = '/api/2/mfa/users/:user_id/devices';
let estate: MfaEstate;
const planJson = async () => {
  const plan = await estate.planJson();
  return { ...plan, deviceCalls: plan.calls };
};
const run = (command: 'plan' | 'apply') => estate.run(command);

const store = () => estate.sandbox.stores.onelogin;
const login = (id: number) => store().user(id)!.username!.toLowerCase();
const hasDevice = (id: number) =>
  store()
    .devices.of(id)
    .some((d) => d.active);
/** Not staged, not a leaver (suspended and unlicensed). */
const covered = () =>
  store()
    .users()
    .filter((u) => u.status !== 0 && !(u.status === 2 && u.state === 3));
/** Active Globex Sales members in scope (not service or partner accounts). */
const sellers = () =>
  store()
    .roleMemberIds(store().findRoleByName('Globex Sales')!.id)
    .map((id) => store().user(id)!)
    .filter(
      (u) =>
        u.status === 1 &&
        u.state === 1 &&
        !['Service', 'Partner'].includes(u.custom_attributes.usertype ?? '') &&
        u.email?.endsWith('@globex.test'),
    );

beforeAll(async () => {
  estate = await mfaEstate({
    people: 240,
    name: 'mfa-onelogin',
    counted: { tenant: 'onelogin', route: DEVICES },
    rules: [
      {
        id: 'globex-mfa-restricted',
        description: 'Globex sellers without an MFA device after 14 days are restricted.',
        when: { all: [{ oneloginRole: 'Globex Sales' }, { mfa: { enrolled: false, graceDays: 14 } }] },
        grants: { prod: { permissionSets: [RESTRICTED] } },
      },
      {
        id: 'globex-reports-need-mfa',
        description: 'Report Builder only for Globex sellers not overdue on MFA.',
        when: {
          all: [{ oneloginRole: 'Globex Sales' }, { not: { mfa: { enrolled: false, graceDays: 14 } } }],
        },
        grants: { prod: { permissionSets: [SENSITIVE] } },
      },
    ],
  });
});
afterAll(() => estate.close());

describe('UC-17 MFA compliance for OneLogin people against the sandbox', () => {
  it('UC-17 OneLogin: restricts Globex sellers past the grace, follows device events, and converges', async () => {
    // A Globex seller activated today, with no device yet: inside the grace.
    const hire = store().createUser({
      username: 'new.seller@globex.test',
      email: 'new.seller@globex.test',
      firstname: 'New',
      lastname: 'Seller',
      department: 'Sales',
      status: 1,
      state: 1,
      custom_attributes: { usertype: 'Employee', employeenumber: 'G-990001' },
    });
    store().addRoleUsers(store().findRoleByName('Globex Sales')!.id, [hire.id]);

    const first = await planJson();
    // One device call per OneLogin account that can sign in; none for staged or leavers.
    expect(first.deviceCalls).toBe(covered().length);

    const all = sellers();
    const enrolled = all.filter((u) => hasDevice(u.id)).map((u) => login(u.id));
    const overdue = all.filter((u) => !hasDevice(u.id) && u.id !== hire.id).map((u) => login(u.id));
    expect(enrolled.length).toBeGreaterThan(0);
    expect(overdue.length).toBeGreaterThan(0);

    const table = [
      { who: 'enrolled', people: enrolled, restricted: false, sensitive: true },
      { who: 'not enrolled, within grace', people: [login(hire.id)], restricted: false, sensitive: true },
      { who: 'not enrolled, past grace', people: overdue, restricted: true, sensitive: false },
    ];
    expectGrants(first, table);
    const reported = (first.findings ?? []).filter((f) => f.code === 'no-mfa');
    expect(reported.find((f) => f.person?.toLowerCase() === login(hire.id))?.message).toMatch(
      /no active MFA factor in onelogin since \d{4}-\d{2}-\d{2} \(0 days\); grace of 14 days ends/,
    );
    for (const p of overdue)
      expect(reported.find((f) => f.person?.toLowerCase() === p)?.message).toMatch(
        /no active MFA factor in onelogin .*grace of 14 days over/,
      );

    // `accord report mfa` counts the OneLogin accounts read.
    const report = await estate.report();
    expect(report.status).toBe(0);
    const parsed = JSON.parse(report.stdout) as {
      read: { onelogin?: number };
      gaps: { person: string; platform: string; overdue: boolean }[];
    };
    expect(parsed.read.onelogin).toBe(covered().length);
    for (const p of overdue)
      expect(parsed.gaps.find((g) => g.person.toLowerCase() === p)).toMatchObject({
        platform: 'onelogin',
        overdue: true,
      });

    const before = new Set(covered().map((u) => u.id));
    expect((await run('apply')).status).toBe(0);
    const created = covered().filter((u) => !before.has(u.id));
    const settled = await planJson();
    expect(settled.changes).toEqual([]);
    expect(settled.deviceCalls).toBe(created.length);
    // The unchanged account: devices come from the snapshot cache, no device call.
    expect((await planJson()).deviceCalls).toBe(0);

    // An overdue seller registers a device; an enrolled one has every device removed.
    const fixes = store().findUserByUsername(overdue[0]!)!;
    const loses = store().findUserByUsername(enrolled[0]!)!;
    store().devices.enroll(fixes.id, 'OneLogin');
    store().devices.removeAll(loses.id);

    await expectFlipConverges(estate, overdue[0]!, enrolled[0]!, 2);
  });
});
