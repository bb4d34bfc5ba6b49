/**
 * An access rule on an app assignment (UC-01), end to end: the demo policy (less its exception,
 * which grants Report_Builder too) plus a rule granting Report_Builder to Support people whom Okta
 * assigns the Salesforce app, applied through the real clients. Then an admin takes the app away
 * from the Support group in Okta, and the next plan revokes exactly what the rule granted those
 * people, and converges.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '@accord/sandbox';
import { loopbackSandbox, policiesDir, scratch } from './support/harness.js';
import { planOrApplyIn } from './support/in-process.js';

let sandbox: Sandbox;
let dir: ReturnType<typeof scratch>;
let policies: string;

const run = planOrApplyIn(() => ({ sandbox, policies, dir }));
const planJson = async () => {
  const r = await run('plan', '--format', 'json');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { changes: { action: string; address: string; person?: string }[] };
};
const reports = (changes: { action: string; address: string; person?: string }[], action: string) =>
  changes
    .filter((c) => c.action === action && c.address.includes('permissionSet["Report_Builder"]'))
    .map((c) => c.person!)
    .sort();

beforeAll(async () => {
  sandbox = await loopbackSandbox({ people: 80, seed: 21 });
  dir = scratch('apps');
  policies = join(dir.dir, 'policies');
  cpSync(policiesDir, policies, { recursive: true });
  // The demo's one exception grants Report_Builder too; without it, every such grant is the rule's.
  rmSync(join(policies, 'exceptions.json'));
  writeFileSync(
    join(policies, 'access', 'apps.json'),
    JSON.stringify({
      access: [
        {
          id: 'reports-by-app',
          when: { all: [{ app: 'Salesforce' }, { oktaGroup: 'Support' }] },
          grants: { prod: { permissionSets: ['Report_Builder'] } },
        },
      ],
    }),
  );
});
afterAll(async () => {
  await sandbox.close();
  dir.remove();
});

describe('UC-01 an access rule on an app assignment, against the sandbox', () => {
  it('grants by app, revokes when the app is taken away from a group, and converges', async () => {
    const store = sandbox.stores.okta;
    const [app] = store.findAppsByLabel('Salesforce');
    const support = store.findGroupByName('Support')!;
    const loginOf = (id: string) => store.getUser(id)!.profile.login.toLowerCase();
    const supportWithApp = () =>
      new Set(
        store
          .appUserIds(app!.id)
          .filter((id) => store.memberIds(support.id).includes(id))
          .map(loginOf),
      );

    const first = await planJson();
    const granted = reports(first.changes, 'grant');
    expect(granted.length).toBeGreaterThan(0);
    expect(granted.filter((p) => !supportWithApp().has(p.toLowerCase()))).toEqual([]);

    expect((await run('apply')).status).toBe(0);
    expect((await planJson()).changes).toEqual([]);

    // Support had the app through the group; direct assignments stay.
    const had = supportWithApp();
    store.unassignGroupFromApp(app!.id, support.id);
    const lost = granted.filter((p) => had.has(p.toLowerCase()) && !supportWithApp().has(p.toLowerCase()));
    expect(lost.length).toBeGreaterThan(0);

    const second = await planJson();
    expect(reports(second.changes, 'revoke')).toEqual(lost);
    expect(reports(second.changes, 'grant')).toEqual([]);
    expect((await run('apply')).status).toBe(0);
    expect((await planJson()).changes).toEqual([]);
  });
});
