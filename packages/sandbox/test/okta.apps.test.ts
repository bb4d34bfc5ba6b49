import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import okta from '@okta/okta-sdk-nodejs';
import { setupServer } from 'msw/node';
import { generateCompany } from '../src/company.js';
import { Instrument } from '../src/instrument.js';
import {
  APP_SEQ_BASE,
  OKTA_SANDBOX_TOKEN,
  OktaStore,
  oktaTenant,
  seedOkta,
  type OktaStoreData,
  type OktaTenantOptions,
} from '../src/okta/index.js';

/** App assignments in the Okta emulator, read with the real @okta/okta-sdk-nodejs v8 (and fetch). */

const ORG = 'https://acme.okta.test';
const company = generateCompany({ seed: 42, people: 520 });
const seeded = seedOkta(company).toJSON();
const server = setupServer();

function fresh(options: OktaTenantOptions = {}) {
  const store = OktaStore.fromJSON(seeded);
  const instrument = new Instrument(3);
  const tenant = oktaTenant(store, ORG, instrument, options);
  server.resetHandlers(...tenant.handlers);
  const client = new okta.Client({ orgUrl: ORG, token: tenant.env.OKTA_API_TOKEN, cacheMiddleware: null });
  const appCalls = (route: string) => instrument.count({ tenant: 'okta', method: 'GET', route });
  return { store, instrument, tenant, client, appCalls };
}

async function collect<T>(collection: AsyncIterable<T | null>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of collection) if (item) out.push(item);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

const get = (path: string) =>
  fetch(`${ORG}${path}`, {
    headers: { Authorization: `SSWS ${OKTA_SANDBOX_TOKEN}`, Accept: 'application/json' },
  });

/** Who should have the app, worked out from the store's groups and logins, not from its app code. */
function expectedUsers(store: OktaStore, groups: string[], direct: string[]): string[] {
  const ids = new Set<string>();
  for (const name of groups) for (const id of store.memberIds(store.findGroupByName(name)!.id)) ids.add(id);
  for (const login of direct) ids.add(store.findUserByLogin(login)!.id);
  return [...ids].filter((id) => store.getUser(id)!.status !== 'DEPROVISIONED').sort();
}

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

describe('Okta apps through the SDK', () => {
  it('finds apps with q (startsWith on name or label, any case) and reads Application fields', async () => {
    const { client, store } = fresh();
    const [salesforce] = store.findAppsByLabel('Salesforce');
    const apps = await collect(await client.applicationApi.listApplications({ q: 'SALES', limit: 200 }));
    expect(apps.map((a) => a.id)).toEqual([salesforce!.id]);
    expect(apps[0]).toMatchObject({
      name: 'salesforce',
      label: 'Salesforce',
      status: 'ACTIVE',
      signOnMode: 'SAML_2_0',
    });
    expect(apps[0]!.id).toMatch(/^0oa[0-9A-Za-z]{17}$/);
    expect(apps[0]!.created).toBeInstanceOf(Date);
    expect(apps[0]!._links?.users?.href).toBe(`${ORG}/api/v1/apps/${salesforce!.id}/users`);
    expect(
      (await collect(await client.applicationApi.listApplications({ q: 'sla' }))).map((a) => a.label),
    ).toEqual(['Slack']);
    expect(await collect(await client.applicationApi.listApplications({ q: 'force' }))).toEqual([]);
    const one = await client.applicationApi.getApplication({ appId: salesforce!.id });
    expect(one.label).toBe('Salesforce');
  });

  it('pages apps with Link rel="next", filters by status and refuses other filters', async () => {
    const { client, store, appCalls } = fresh();
    for (let i = 0; i < 23; i++)
      store.createApp({ name: 'bookmark', label: `Tool ${i}`, signOnMode: 'BOOKMARK' });
    store.setAppStatus(store.findAppsByLabel('Tool 3')[0]!.id, 'INACTIVE');
    const all = await collect(await client.applicationApi.listApplications({ limit: 10 }));
    expect(all.map((a) => a.id)).toEqual(store.apps().map((a) => a.id));
    expect(all).toHaveLength(25);
    expect(appCalls('/api/v1/apps')).toBe(3);
    // Default 20 per page, and a larger limit is clamped to 200.
    expect(((await (await get('/api/v1/apps')).json()) as unknown[]).length).toBe(20);
    expect(((await (await get('/api/v1/apps?limit=5000')).json()) as unknown[]).length).toBe(25);

    const active = await collect(
      await client.applicationApi.listApplications({ filter: 'status eq "ACTIVE"' }),
    );
    expect(active).toHaveLength(24);
    expect(active.some((a) => a.label === 'Tool 3')).toBe(false);
    const byName = await collect(await client.applicationApi.listApplications({ filter: 'name eq "slack"' }));
    expect(byName.map((a) => a.label)).toEqual(['Slack']);
    const bad = await failure(
      collect(await client.applicationApi.listApplications({ filter: 'label eq "Slack"' })),
    );
    expect(bad).toMatchObject({ status: 400, errorCode: 'E0000031' });
  });

  it('lists Salesforce users: the policy groups and direct assignments, scope USER winning, no leavers', async () => {
    const { client, store, appCalls } = fresh();
    const app = store.findAppsByLabel('Salesforce')[0]!;
    const salesforce = company.okta.apps.find((a) => a.label === 'Salesforce')!;
    const users = await collect(
      await client.applicationApi.listApplicationUsers({ appId: app.id, limit: 100 }),
    );
    const expected = expectedUsers(store, salesforce.groups, salesforce.users);
    expect(expected.length).toBeGreaterThan(200);
    expect(users.map((u) => u.id)).toEqual(expected);
    expect(appCalls('/api/v1/apps/:appId/users')).toBe(Math.ceil(expected.length / 100));

    const byLogin = new Map(users.map((u) => [u.credentials?.userName, u]));
    expect(byLogin.get('lee.admin@acme.test')?.scope).toBe('USER');
    expect(byLogin.get('kim.mover@acme.test')?.scope).toBe('USER');
    expect(byLogin.get('ana.lopez@acme.test')).toMatchObject({
      scope: 'GROUP',
      status: 'ACTIVE',
      syncState: 'DISABLED',
    });
    expect(byLogin.get('ana.lopez@acme.test')?._links?.group?.name).toBe('Sales');
    expect(byLogin.has('sam.leaver@acme.test')).toBe(false);
    expect(byLogin.has('robin.gone@acme.test')).toBe(false);
    const ana = byLogin.get('ana.lopez@acme.test')!;
    expect(ana._links?.user?.href).toBe(`${ORG}/api/v1/users/${ana.id}`);
    expect(ana._links?.app?.href).toBe(`${ORG}/api/v1/apps/${app.id}`);
    expect(ana.externalId ?? null).toBeNull();
  });

  it('pages past 500 users (the maximum) for an app assigned to Everyone', async () => {
    const { client, store, appCalls } = fresh();
    for (let i = 0; i < 60; i++) {
      store.createUser({
        profile: {
          login: `extra.${i}@acme.test`,
          email: `extra.${i}@acme.test`,
          firstName: 'E',
          lastName: 'X',
        },
        password: true,
        activate: true,
      });
    }
    const slack = store.findAppsByLabel('Slack')[0]!;
    const expected = expectedUsers(store, ['Everyone'], []);
    expect(expected.length).toBeGreaterThan(500);
    // Asking for more than 500 gets 500 a page.
    const users = await collect(
      await client.applicationApi.listApplicationUsers({ appId: slack.id, limit: 1000 }),
    );
    expect(users.map((u) => u.id)).toEqual(expected);
    expect(users.every((u) => u.scope === 'GROUP')).toBe(true);
    expect(appCalls('/api/v1/apps/:appId/users')).toBe(2);
    // Default page: 50.
    const first = (await (await get(`/api/v1/apps/${slack.id}/users`)).json()) as unknown[];
    expect(first).toHaveLength(50);
  });

  it('follows group membership, direct assignments and deactivation at read time', async () => {
    const { client, store } = fresh();
    const app = store.findAppsByLabel('Salesforce')[0]!;
    const read = async () =>
      new Map(
        (await collect(await client.applicationApi.listApplicationUsers({ appId: app.id, limit: 500 }))).map(
          (u) => [u.id, u.scope],
        ),
      );
    const marketer = store
      .users()
      .find((u) => u.profile.department === 'Marketing' && u.status === 'ACTIVE')!;
    const lee = store.findUserByLogin('lee.admin@acme.test')!;
    const kim = store.findUserByLogin('kim.mover@acme.test')!;
    expect((await read()).has(marketer.id)).toBe(false);

    store.addMember(store.findGroupByName('Support')!.id, marketer.id);
    expect((await read()).get(marketer.id)).toBe('GROUP');
    store.removeMember(store.findGroupByName('Support')!.id, marketer.id);
    expect((await read()).has(marketer.id)).toBe(false);

    store.assignUserToApp(app.id, marketer.profile.login);
    expect((await read()).get(marketer.id)).toBe('USER');
    store.unassignUserFromApp(app.id, marketer.id);
    // Kim keeps the app through Sales when the direct assignment goes.
    store.unassignUserFromApp(app.id, kim.id);
    const after = await read();
    expect(after.has(marketer.id)).toBe(false);
    expect(after.get(kim.id)).toBe('GROUP');

    // Deactivation removes direct assignments for good; group ones come back with the user.
    store.transition(lee.id, 'deactivate');
    store.transition(kim.id, 'deactivate');
    expect((await read()).has(lee.id)).toBe(false);
    store.transition(lee.id, 'activate');
    store.transition(kim.id, 'activate');
    const back = await read();
    expect(back.has(lee.id)).toBe(false);
    expect(back.get(kim.id)).toBe('GROUP');
    expect(() => store.assignUserToApp(app.id, 'sam.leaver@acme.test')).toThrow(/E0000001/);

    // A group assignment counts for whoever is a member; unassigning it takes it away.
    const marketing = store.findGroupByName('Marketing')!;
    store.assignGroupToApp(app.id, marketing.id);
    expect((await read()).get(marketer.id)).toBe('GROUP');
    expect(store.appGroupGrants(app.id).map((g) => g.groupId)).toContain(marketing.id);
    store.unassignGroupFromApp(app.id, marketing.id);
    expect((await read()).has(marketer.id)).toBe(false);
  });

  it('answers an unknown app with 404 E0000007', async () => {
    const { client } = fresh();
    const error = await failure(
      collect(await client.applicationApi.listApplicationUsers({ appId: '0oaNOPE' })),
    );
    expect(error).toMatchObject({ status: 404, errorCode: 'E0000007' });
    expect(String(error.errorSummary)).toContain('0oaNOPE');
  });
});

describe('Okta apps over plain fetch', () => {
  it('keeps q and limit in the next link, and q on app users is a startsWith on login and names', async () => {
    const { store } = fresh();
    const app = store.findAppsByLabel('Salesforce')[0]!;
    const res = await get(`/api/v1/apps/${app.id}/users?limit=2&q=a`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; credentials: { userName: string } }[];
    expect(body).toHaveLength(2);
    for (const u of body) {
      const p = store.getUser(u.id)!.profile;
      expect([p.login, p.firstName, p.lastName, p.email].some((v) => v?.toLowerCase().startsWith('a'))).toBe(
        true,
      );
    }
    expect(res.headers.get('link')).toContain(
      `<${ORG}/api/v1/apps/${app.id}/users?after=${body[1]!.id}&limit=2&q=a>; rel="next"`,
    );
    const embedded = (await (await get(`/api/v1/apps/${app.id}/users?limit=1&expand=user`)).json()) as {
      _embedded: { user: { id: string; profile: { login: string } } };
    }[];
    expect(embedded[0]?._embedded.user.id).toBeDefined();
  });

  it('counts /api/v1/apps in its own rate-limit bucket', async () => {
    const { store, tenant } = fresh({ rateLimits: { limits: { apps: 2 }, windowSeconds: 60 } });
    const app = store.findAppsByLabel('Slack')[0]!;
    const first = await get('/api/v1/apps');
    expect(first.headers.get('x-rate-limit-limit')).toBe('2');
    expect(first.headers.get('x-rate-limit-remaining')).toBe('1');
    expect((await get(`/api/v1/apps/${app.id}/users`)).headers.get('x-rate-limit-remaining')).toBe('0');
    const limited = await get('/api/v1/apps');
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ errorCode: 'E0000047' });
    // Users have their own budget.
    expect((await get('/api/v1/users?limit=1')).status).toBe(200);
    expect(tenant.rateLimits.limitOf('apps')).toBe(2);
  });

  it('lists group assignments and counts them in the group stats', async () => {
    const { store } = fresh();
    const app = store.findAppsByLabel('Salesforce')[0]!;
    const groups = (await (await get(`/api/v1/apps/${app.id}/groups`)).json()) as {
      id: string;
      priority: number;
    }[];
    const names = groups.map((g) => store.getGroup(g.id)!.profile.name).sort();
    expect(names).toEqual([...company.okta.apps.find((a) => a.label === 'Salesforce')!.groups].sort());
    const sales = store.findGroupByName('Sales')!;
    const stats = (await (await get(`/api/v1/groups/${sales.id}?expand=stats`)).json()) as {
      _embedded: { stats: { appsCount: number } };
    };
    expect(stats._embedded.stats.appsCount).toBe(1);
  });
});

describe('Okta apps in the store and seed', () => {
  it('seeds the demo apps without moving any other id', () => {
    const store = OktaStore.fromJSON(seeded);
    expect(store.apps().map((a) => `${a.name}/${a.label}`)).toEqual(
      expect.arrayContaining(['salesforce/Salesforce', 'slack/Slack']),
    );
    const slack = store.findAppsByLabel('Slack')[0]!;
    expect(store.appUserIds(slack.id)).toEqual(expectedUsers(store, ['Everyone'], []));
    // The same company without apps seeds the same users, groups and next ids.
    const without = seedOkta({ ...company, okta: { ...company.okta, apps: [] } }).toJSON();
    expect(without.users).toEqual(seeded.users);
    expect(without.groups).toEqual(seeded.groups);
    expect(without.members).toEqual(seeded.members);
    expect(without.nextSeq).toBe(seeded.nextSeq);
    expect(seeded.nextAppSeq).toBe(APP_SEQ_BASE + 2);
    expect(seedOkta(generateCompany({ seed: 42, people: 520 })).toJSON()).toEqual(seeded);
  });

  it('round-trips apps through JSON, and loads older data without apps', () => {
    const store = OktaStore.fromJSON(seeded);
    const extra = store.createApp({ name: 'bookmark', label: 'Wiki' });
    store.assignUserToApp(extra.id, 'ana.lopez@acme.test');
    const json = JSON.parse(JSON.stringify(store.toJSON())) as OktaStoreData;
    const again = OktaStore.fromJSON(json);
    expect(again.toJSON()).toEqual(store.toJSON());
    expect(again.appAssignment(extra.id, 'ana.lopez@acme.test')?.scope).toBe('USER');
    // The next app continues the app sequence.
    expect(again.createApp({ name: 'x', label: 'X' }).id).toBe(
      OktaStore.fromJSON(json).createApp({ name: 'x', label: 'X' }).id,
    );

    const { apps: _apps, nextAppSeq: _next, ...old } = seeded;
    const legacy = OktaStore.fromJSON(old as OktaStoreData);
    expect(legacy.apps()).toEqual([]);
    expect(legacy.userCount).toBe(store.userCount);
  });
});
