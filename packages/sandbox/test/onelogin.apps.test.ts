import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import got, { type Got } from 'got';
import { setupServer } from 'msw/node';
import { generateCompany } from '../src/company.js';
import { Instrument } from '../src/instrument.js';
import {
  FIRST_APP_ID,
  OneLoginStore,
  oneloginTenant,
  seedOneLogin,
  type OneLoginApp,
  type OneLoginAppUser,
  type OneLoginStoreData,
  type OneLoginUser,
} from '../src/onelogin/index.js';

/** App access in the OneLogin emulator, read with got as accord's OneLogin client does. */

const BASE = 'https://globex.onelogin.test';
// About 10% of the people are Globex's: enough for several pages of app users.
const company = generateCompany({ seed: 42, people: 1200 });
const server = setupServer();

interface ErrorBody {
  message: string;
  statusCode: number;
  name: string;
}

function freshTenant(options: { rateLimitPerHour?: number } = {}) {
  const store = OneLoginStore.fromJSON(seedOneLogin(company).toJSON(), { now: () => Date.UTC(2025, 5, 1) });
  const instrument = new Instrument(7);
  const tenant = oneloginTenant(store, BASE, instrument, options);
  server.resetHandlers(...tenant.handlers);
  return { store, instrument, tenant };
}

async function authed(env: Record<string, string>): Promise<Got> {
  const client = got.extend({
    prefixUrl: BASE,
    responseType: 'json',
    throwHttpErrors: false,
    retry: { limit: 0 },
  });
  const token = await client.post<{ access_token: string }>('auth/oauth2/v2/token', {
    headers: {
      authorization: `client_id:${env.ONELOGIN_CLIENT_ID}, client_secret:${env.ONELOGIN_CLIENT_SECRET}`,
    },
    json: { grant_type: 'client_credentials' },
  });
  return client.extend({ headers: { authorization: `bearer ${token.body.access_token}` } });
}

/** Every page of a list, following After-Cursor as the docs (and the Go SDK) do. */
async function readAll<T>(api: Got, path: string, searchParams: Record<string, string | number>) {
  const items: T[] = [];
  let res = await api.get<T[]>(path, { searchParams });
  let pages = 1;
  for (;;) {
    expect(res.statusCode).toBe(200);
    expect(res.headers['page-items']).toBe(String(res.body.length));
    items.push(...res.body);
    const after = res.headers['after-cursor'];
    if (typeof after !== 'string') break;
    res = await api.get<T[]>(path, { searchParams: { cursor: after } });
    pages++;
  }
  return { items, pages, last: res };
}

/** Members of the named roles, from the role membership alone. */
function membersOf(store: OneLoginStore, roles: string[]): number[] {
  const ids = new Set<number>();
  for (const name of roles) for (const id of store.roleMemberIds(store.findRoleByName(name)!.id)) ids.add(id);
  return [...ids].sort((a, b) => a - b);
}

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

describe('OneLogin apps', () => {
  it('lists apps as a bare array with paging headers and a name filter (exact, any case, * wildcards)', async () => {
    const t = freshTenant();
    const api = await authed(t.tenant.env);
    for (let i = 0; i < 11; i++) t.store.createApp({ name: `Tool ${i}`, connector_id: 1 });
    const res = await api.get<OneLoginApp[]>('api/2/apps', { searchParams: { limit: 5 } });
    expect(res.statusCode).toBe(200);
    expect(res.body[0]).toEqual({
      id: FIRST_APP_ID,
      connector_id: expect.any(Number),
      name: 'Salesforce',
      description: '',
      visible: true,
      auth_method: 2,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(res.headers['total-count']).toBe('12');
    expect(res.headers['total-pages']).toBe('3');
    expect(res.headers['current-page']).toBe('1');
    expect(res.headers.link).toContain(`<${BASE}/api/2/apps?cursor=`);
    const all = await readAll<OneLoginApp>(api, 'api/2/apps', { limit: 5 });
    expect(all.items.map((a) => a.id)).toEqual(t.store.apps().map((a) => a.id));
    expect(all.pages).toBe(3);

    const names = async (name: string) =>
      (await api.get<OneLoginApp[]>('api/2/apps', { searchParams: { name } })).body.map((a) => a.name);
    expect(await names('salesforce')).toEqual(['Salesforce']);
    expect(await names('Sales')).toEqual([]);
    expect(await names('sales*')).toEqual(['Salesforce']);
    expect(await names('tool 1*')).toEqual(['Tool 1', 'Tool 10']);
  });

  it('lists the users who have an app through a role, paging up to 1000 a page', async () => {
    const t = freshTenant();
    const api = await authed(t.tenant.env);
    const app = t.store.findAppsByName('Salesforce')[0]!;
    const expected = membersOf(t.store, ['Globex Sales']);
    expect(expected.length).toBeGreaterThan(15);
    t.instrument.reset();
    const { items, pages, last } = await readAll<OneLoginAppUser>(api, `api/2/apps/${app.id}/users`, {
      limit: 10,
    });
    expect(items.map((u) => u.id)).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 10));
    expect(
      t.instrument.count({ tenant: 'onelogin', method: 'GET', route: '/api/2/apps/:app_id/users' }),
    ).toBe(pages);
    expect(last.headers['total-count']).toBe(String(expected.length));
    expect(last.headers['before-cursor']).toBeDefined();
    expect(last.headers.link ?? '').not.toContain('rel="next"');
    const gina = t.store.findUserByUsername('gina.globex@globex.test')!;
    expect(items.find((u) => u.id === gina.id)).toEqual({
      id: gina.id,
      firstname: 'Gina',
      lastname: 'Globex',
      email: 'gina.globex@globex.test',
      username: 'gina.globex@globex.test',
    });

    // Limits above 1000 are clamped to 1000.
    const everyone = t.store.findRoleByName('Globex Employees')!;
    const missing = 1001 - t.store.roleMemberIds(everyone.id).length;
    for (let i = 0; i < missing; i++) {
      const u = t.store.createUser({ username: `extra.${i}@globex.test`, email: `extra.${i}@globex.test` });
      t.store.addRoleUsers(everyone.id, [u.id]);
    }
    t.store.grantAppToRole(everyone.id, app.id);
    const big = await api.get<OneLoginAppUser[]>(`api/2/apps/${app.id}/users`, {
      searchParams: { limit: 5000 },
    });
    expect(big.body).toHaveLength(1000);
    expect(big.headers['total-pages']).toBe('2');
    const small = await api.get<OneLoginAppUser[]>(`api/2/apps/${app.id}/users`);
    expect(small.body).toHaveLength(50);
  });

  it('follows role membership, role apps and direct assignments; filters users by app_id', async () => {
    const t = freshTenant();
    const api = await authed(t.tenant.env);
    const app = t.store.findAppsByName('Salesforce')[0]!;
    const support = t.store.findRoleByName('Globex Support')!;
    const sales = t.store.findRoleByName('Globex Sales')!;
    const ids = async () =>
      (await readAll<OneLoginAppUser>(api, `api/2/apps/${app.id}/users`, { limit: 1000 })).items.map(
        (u) => u.id,
      );
    const supporter = t.store
      .roleMemberIds(support.id)
      .find((id) => !t.store.roleMemberIds(sales.id).includes(id))!;
    expect(await ids()).not.toContain(supporter);

    // Through the role API: PUT apps, then membership changes show at once.
    expect((await api.put(`api/2/roles/${support.id}`, { json: { apps: [app.id] } })).statusCode).toBe(200);
    expect(await ids()).toContain(supporter);
    expect((await api.get<{ apps: number[] }>(`api/2/roles/${support.id}`)).body.apps).toEqual([app.id]);
    await api.delete(`api/2/roles/${support.id}/users`, { json: [supporter] });
    expect(await ids()).not.toContain(supporter);
    const bad = await api.put<ErrorBody>(`api/2/roles/${support.id}`, { json: { apps: [app.id, 999] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toMatchObject({ statusCode: 422, name: 'UnprocessableEntityError' });
    expect(bad.body.message).toContain('999');
    expect((await api.post('api/2/roles', { json: { name: 'X', apps: [999] } })).statusCode).toBe(422);
    const roles = await api.get<{ name: string }[]>('api/2/roles', { searchParams: { app_id: app.id } });
    expect(roles.body.map((r) => r.name).sort()).toEqual(['Globex Sales', 'Globex Support']);
    const byName = await api.get<{ name: string }[]>('api/2/roles', {
      searchParams: { app_name: 'salesforce' },
    });
    expect(byName.body.map((r) => r.name).sort()).toEqual(['Globex Sales', 'Globex Support']);

    // Directly, whatever the roles.
    t.store.assignAppToUser(app.id, supporter);
    expect(await ids()).toContain(supporter);
    const filtered = await readAll<OneLoginUser>(api, 'api/2/users', { app_id: app.id, limit: 100 });
    expect(filtered.items.map((u) => u.id)).toEqual(await ids());
    t.store.unassignAppFromUser(app.id, supporter);
    t.store.revokeAppFromRole(support.id, app.id);
    expect(await ids()).toEqual(membersOf(t.store, ['Globex Sales']));
    const none = await api.get<OneLoginUser[]>('api/2/users', { searchParams: { app_id: 424242 } });
    expect(none.body).toEqual([]);

    // A deleted user or role takes their access with them.
    const someone = (await ids())[0]!;
    await api.delete(`api/2/users/${someone}`);
    expect(await ids()).not.toContain(someone);
    await api.delete(`api/2/roles/${sales.id}`);
    expect(await ids()).toEqual([]);
  });

  it('answers an unknown app with the v2 404 body, and counts app calls against the hourly budget', async () => {
    const t = freshTenant({ rateLimitPerHour: 3 });
    const api = await authed(t.tenant.env);
    const missing = await api.get<ErrorBody>('api/2/apps/424242/users');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toEqual({
      message: expect.any(String),
      statusCode: 404,
      name: 'NotFoundError',
    });
    expect(missing.headers['x-ratelimit-remaining']).toBe('2');
    expect((await api.get('api/2/apps')).headers['x-ratelimit-remaining']).toBe('1');
    expect((await api.get(`api/2/apps/${FIRST_APP_ID}/users`)).statusCode).toBe(200);
    expect((await api.get('api/2/apps')).statusCode).toBe(429);
    expect(t.instrument.count({ tenant: 'onelogin', route: '/api/2/apps' })).toBe(2);
  });
});

describe('OneLogin apps in the store and seed', () => {
  it('seeds Salesforce through Globex Sales without moving any user or role', () => {
    const data = seedOneLogin(company).toJSON();
    expect(data.apps?.map((a) => a.name)).toEqual(['Salesforce']);
    const sales = data.roles.find((r) => r.name === 'Globex Sales')!;
    expect(sales.apps).toEqual([FIRST_APP_ID]);
    expect(data.roles.filter((r) => r.apps.length > 0).map((r) => r.name)).toEqual(['Globex Sales']);
    const without = seedOneLogin({ ...company, onelogin: { ...company.onelogin, apps: [] } }).toJSON();
    expect(without.users).toEqual(data.users);
    expect(without.roles.map(({ apps: _apps, ...r }) => r)).toEqual(
      data.roles.map(({ apps: _apps, ...r }) => r),
    );
    expect([without.nextUserId, without.nextRoleId]).toEqual([data.nextUserId, data.nextRoleId]);
    expect(seedOneLogin(generateCompany({ seed: 42, people: 1200 })).toJSON()).toEqual(data);
  });

  it('round-trips apps and direct assignments, and loads older data without apps', () => {
    const store = OneLoginStore.fromJSON(seedOneLogin(company).toJSON());
    const wiki = store.createApp({ name: 'Wiki', auth_method: 0 });
    const someone = store.users()[3]!.id;
    store.assignAppToUser(wiki.id, someone);
    const json = JSON.parse(JSON.stringify(store.toJSON())) as OneLoginStoreData;
    const again = OneLoginStore.fromJSON(json);
    expect(again.toJSON()).toEqual(store.toJSON());
    expect(again.appUserIds(wiki.id)).toEqual([someone]);
    expect(again.createApp({ name: 'Next' }).id).toBe(wiki.id + 1);

    const { apps: _apps, nextAppId: _next, ...old } = json;
    // Data from before apps: role app ids named nothing, and are dropped.
    old.roles[0]!.apps = [77];
    const legacy = OneLoginStore.fromJSON(old as OneLoginStoreData);
    expect(legacy.apps()).toEqual([]);
    expect(legacy.roles().every((r) => r.apps.length === 0)).toBe(true);
    expect(legacy.createApp({ name: 'First' }).id).toBe(FIRST_APP_ID);
  });
});
