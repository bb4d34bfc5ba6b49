/**
 * Issue 14, item 5 (UC-08 licence reclamation's other side): a plan that would need more seats of
 * a UserLicense than the org has left is blocked when it is made, with the numbers, instead of
 * failing write after write with LICENSE_LIMIT_EXCEEDED. The sandbox test below plans and applies
 * through the real clients.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Sandbox } from '@accord/sandbox';
import type { AccessRule } from '../../src/policy/types.js';
import { makePolicy, okta, plan, salesforce, snapshots, type UserSpec } from '../support/builders.js';
import { loopbackSandbox, runAccord, scratch, writeRequests } from '../apply/support/harness.js';

const sales: AccessRule = {
  id: 'sales',
  when: { oktaGroup: 'Sales' },
  grants: { prod: { profile: 'Sales User' } },
};
const people = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ login: `p${i}@acme.test`, groups: ['Sales'] }));

function planWith(seats: { total: number; used: number }, users: UserSpec[] = [], n = 3) {
  const org = salesforce('prod', users);
  org.licenses = [{ id: '100-Salesforce', name: 'Salesforce', ...seats }];
  return plan(makePolicy({ access: [sales] }), snapshots({ okta: okta(people(n)), salesforce: [org] }));
}

describe('licence capacity per UserLicense', () => {
  it.each([
    { total: 10, used: 7, blocked: false },
    { total: 10, used: 8, blocked: true },
  ])('3 new users with $used of $total used: blocked $blocked', ({ total, used, blocked }) => {
    const p = planWith({ total, used });
    expect(p.blocked).toBe(blocked);
    expect(p.findings.filter((f) => f.code === 'license-capacity').map((f) => f.message)).toEqual(
      blocked ? ['prod: the plan needs 3 more "Salesforce" licences; 8 of 10 are used, so 1 is missing'] : [],
    );
  });

  it('counts reactivations and moves to a profile of another licence, not updates within one', () => {
    const p = planWith({ total: 1, used: 1 }, [
      { username: 'p0@acme.test', federationId: 'p0@acme.test', profile: 'Sales User', isActive: false },
      { username: 'p1@acme.test', federationId: 'p1@acme.test', profile: 'Finance User' },
      { username: 'p2@acme.test', federationId: 'p2@acme.test', profile: 'Standard User' },
    ]);
    // p0 comes back (a seat), p1 moves from Salesforce Platform to Salesforce (a seat), p2 stays.
    expect(p.blockedReasons).toEqual([
      'prod: the plan needs 2 more "Salesforce" licences; 1 of 1 are used, so 2 are missing',
    ]);
  });
});

describe('licence capacity against the sandbox', () => {
  let sandbox: Sandbox;
  const dir = scratch('licenses');

  beforeAll(async () => {
    sandbox = await loopbackSandbox({ people: 40, seed: 3 });
  });
  afterAll(async () => {
    await sandbox.close();
    dir.remove();
  });

  it('blocks the plan with the numbers, and apply writes nothing', async () => {
    const prod = sandbox.stores.salesforce.prod!;
    const license = prod.named('UserLicense', 'Salesforce')!;
    // What the org has used, and no seat more: every new user of the demo would be refused.
    const used = prod
      .records('User')
      .filter((u) => u.IsActive === true && prod.licenseOfProfile(u.ProfileId)?.Id === license.Id).length;
    license.TotalLicenses = used;
    const planned = await runAccord(sandbox, ['plan', '--state', dir.state]);
    expect(planned.status).toBe(4); // blocked fails the check
    expect(planned.stdout).toMatch(
      new RegExp(
        `block\\s+license-capacity: prod: the plan needs \\d+ more "Salesforce" licences?; ${used} of ${used} are used`,
      ),
    );
    const writes = writeRequests(sandbox).length;
    const applied = await runAccord(sandbox, [
      'apply',
      '--auto-approve',
      '--state',
      dir.state,
      '--audit',
      dir.audit,
    ]);
    expect(applied.status).toBe(1);
    expect(applied.stderr).toContain('the plan is blocked by guard rails');
    expect(writeRequests(sandbox).length).toBe(writes);
  }, 60_000);
});
