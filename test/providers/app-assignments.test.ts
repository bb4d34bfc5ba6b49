/**
 * App assignments (UC-01) read through the real clients: Okta through @okta/okta-sdk-nodejs, OneLogin
 * through got, against the sandbox (msw), with the exact number of calls each read costs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setupServer } from 'msw/node';
import type { SnapshotScope } from '../../src/model/snapshot.js';
import { OktaProvider, readOktaConnection } from '../../src/providers/okta/index.js';
import { OneLoginProvider } from '../../src/providers/onelogin/index.js';
import { createSandbox, type Sandbox } from '@accord/sandbox';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

function fresh(people = 300): Sandbox {
  const sandbox = createSandbox({ people });
  server.resetHandlers(...sandbox.handlers);
  return sandbox;
}
const scope = (over: Partial<SnapshotScope>): SnapshotScope => ({
  oktaGroups: [],
  oneloginRoles: [],
  includeDeprovisioned: true,
  salesforceFields: [],
  ...over,
});
const okta = (sandbox: Sandbox) =>
  new OktaProvider(readOktaConnection(undefined, sandbox.env), { sleep: async () => undefined });
const onelogin = (sandbox: Sandbox) =>
  new OneLoginProvider({ env: sandbox.env, timing: { sleep: async () => undefined } });
const calls = (sandbox: Sandbox, tenant: string, route: string) =>
  sandbox.instrument.count({ tenant, method: 'GET', route });
const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));

describe('UC-01 app assignments from Okta', () => {
  it('reads the users of each named app, by exact label ignoring case, and names a label no app has', async () => {
    const sandbox = fresh();
    const store = sandbox.stores.okta;
    const [salesforce] = store.findAppsByLabel('Salesforce');
    const snap = await okta(sandbox).snapshot(scope({ oktaApps: ['salesforce', 'No Such App'] }));

    expect(snap.apps).toEqual([
      { id: salesforce!.id, label: 'salesforce', memberIds: [...store.appUserIds(salesforce!.id)] },
    ]);
    expect(snap.apps![0]!.memberIds.length).toBeGreaterThan(100);
    expect(snap.missingApps).toEqual(['No Such App']);
    // One prefix search per label, one page of users per app (at most 500 a page).
    expect(calls(sandbox, 'okta', '/api/v1/apps')).toBe(2);
    expect(calls(sandbox, 'okta', '/api/v1/apps/:appId/users')).toBe(
      pages(snap.apps![0]!.memberIds.length, 500),
    );
    expect(calls(sandbox, 'okta', '/api/v1/apps/:appId')).toBe(0);
  });

  it('pages a large assignment list at 500 a call and sees a group assignment change at once', async () => {
    const sandbox = fresh(1200);
    const store = sandbox.stores.okta;
    const [slack] = store.findAppsByLabel('Slack');
    const before = await okta(sandbox).snapshot(scope({ oktaApps: ['Slack'] }));
    const members = before.apps![0]!.memberIds;
    expect(members.length).toBeGreaterThan(500);
    expect(calls(sandbox, 'okta', '/api/v1/apps/:appId/users')).toBe(pages(members.length, 500));

    const everyone = store.findGroupByName('Everyone')!;
    store.unassignGroupFromApp(slack!.id, everyone.id);
    const after = await okta(sandbox).snapshot(scope({ oktaApps: ['Slack'] }));
    expect(after.apps![0]!.memberIds).toEqual([...store.appUserIds(slack!.id)]);
    expect(after.apps![0]!.memberIds.length).toBeLessThan(members.length);
  });

  it('reads no app endpoint when no condition names an app', async () => {
    const sandbox = fresh();
    const snap = await okta(sandbox).snapshot(scope({}));
    expect(snap.apps).toBeUndefined();
    expect(calls(sandbox, 'okta', '/api/v1/apps')).toBe(0);
  });
});

describe('UC-01 app assignments from OneLogin', () => {
  it('reads the users who have the app through a role or directly, in one filtered list and one page each', async () => {
    const sandbox = fresh();
    const store = sandbox.stores.onelogin;
    const [app] = store.findAppsByName('Salesforce');
    const direct = store.users().find((u) => !store.appUserIds(app!.id).includes(u.id))!;
    store.assignAppToUser(app!.id, direct.id);

    const snap = await onelogin(sandbox).snapshot(scope({ oneloginApps: ['Salesforce', 'Nope'] }));
    expect(snap.apps).toEqual([
      { id: String(app!.id), label: 'Salesforce', memberIds: store.appUserIds(app!.id).map(String) },
    ]);
    expect(snap.apps![0]!.memberIds).toContain(String(direct.id));
    expect(snap.missingApps).toEqual(['Nope']);
    expect(calls(sandbox, 'onelogin', '/api/2/apps')).toBe(2);
    expect(calls(sandbox, 'onelogin', '/api/2/apps/:app_id/users')).toBe(1);
  });
});
