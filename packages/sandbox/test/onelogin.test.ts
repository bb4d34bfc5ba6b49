import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import got, { type Got } from 'got';
import { setupServer } from 'msw/node';
import { generateCompany } from '../src/company.js';
import { Instrument } from '../src/instrument.js';
import {
  OneLoginStore,
  oneloginTenant,
  seedOneLogin,
  type OneLoginRoleUser,
  type OneLoginUser,
} from '../src/onelogin/index.js';

const BASE = 'https://globex.onelogin.test';
const company = generateCompany({ seed: 42, people: 400 });
const server = setupServer();

interface Token {
  access_token: string;
  created_at: string;
  expires_in: number;
  refresh_token: string;
  token_type: string;
  account_id: number;
}
interface ErrorBody {
  message: string;
  statusCode: number;
  name: string;
}

/** A fresh account for each test group, with a clock the tests move. */
function freshTenant(options: { rateLimitPerHour?: number } = {}) {
  const clock = { now: Date.UTC(2025, 5, 1, 12, 0, 0) };
  const store = OneLoginStore.fromJSON(seedOneLogin(company).toJSON(), { now: () => clock.now });
  const instrument = new Instrument(7);
  const tenant = oneloginTenant(store, BASE, instrument, options);
  server.resetHandlers(...tenant.handlers);
  return { store, instrument, tenant, clock };
}

const client = got.extend({
  prefixUrl: BASE,
  responseType: 'json',
  throwHttpErrors: false,
  retry: { limit: 0 },
});

async function tokenFor(env: Record<string, string>): Promise<string> {
  const res = await client.post<Token>('auth/oauth2/v2/token', {
    headers: {
      authorization: `client_id:${env.ONELOGIN_CLIENT_ID}, client_secret:${env.ONELOGIN_CLIENT_SECRET}`,
    },
    json: { grant_type: 'client_credentials' },
  });
  expect(res.statusCode).toBe(200);
  return res.body.access_token;
}

async function authed(env: Record<string, string>): Promise<Got> {
  return client.extend({ headers: { authorization: `bearer ${await tokenFor(env)}` } });
}

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

describe('OneLogin seed and store', () => {
  it('seeds the Globex people as users with roles, managers and status codes', () => {
    const store = seedOneLogin(company);
    const globex = company.people.filter((p) => p.home === 'onelogin');
    expect(store.users()).toHaveLength(globex.length);
    expect(store.roles().map((r) => r.name)).toEqual(company.onelogin.roles);

    const gina = store.findUserByUsername('GINA.globex@globex.test');
    expect(gina).toMatchObject({ firstname: 'Gina', lastname: 'Globex', state: 1, status: 1 });
    expect(gina?.custom_attributes.employeenumber).toMatch(/^G\d{6}$/);
    const ginaRoles = gina!.role_ids.map((id) => store.role(id)?.name).sort();
    expect(ginaRoles).toEqual(['Globex Employees', 'Globex Sales']);

    // role_ids and role membership tell the same story, for everyone.
    for (const role of store.roles()) {
      for (const member of store.roleUsers(role.id))
        expect(store.user(member.id)?.role_ids).toContain(role.id);
    }
    const memberships = store.roles().reduce((n, r) => n + store.roleUsers(r.id).length, 0);
    expect(store.users().reduce((n, u) => n + u.role_ids.length, 0)).toBe(memberships);

    // Managers resolve inside OneLogin.
    const managed = globex.filter((p) => p.manager);
    expect(managed.length).toBeGreaterThan(0);
    for (const p of managed) {
      expect(store.findUserByUsername(p.login)?.manager_user_id).toBe(
        store.findUserByUsername(p.manager!)?.id,
      );
    }
  });

  it('maps directory status to state/status codes', () => {
    const c = generateCompany({ seed: 3, people: 4000 });
    const store = seedOneLogin(c);
    const codes = new Map<string, string>();
    for (const p of c.people) {
      if (p.home !== 'onelogin') continue;
      const u = store.findUserByUsername(p.login)!;
      codes.set(p.status, `${u.state}/${u.status}`);
    }
    expect(codes.get('active')).toBe('1/1');
    if (codes.has('suspended')) expect(codes.get('suspended')).toBe('1/2');
    if (codes.has('deprovisioned')) expect(codes.get('deprovisioned')).toBe('3/2');
  });

  it('round-trips through JSON and seeds deterministically', () => {
    const a = seedOneLogin(company).toJSON();
    const b = seedOneLogin(company).toJSON();
    expect(b).toEqual(a);
    expect(JSON.parse(JSON.stringify(OneLoginStore.fromJSON(a).toJSON()))).toEqual(
      JSON.parse(JSON.stringify(a)),
    );
  });
});

describe('OneLogin token endpoint and auth', () => {
  let t: ReturnType<typeof freshTenant>;
  beforeEach(() => {
    t = freshTenant();
  });

  it('issues a token for client_id/client_secret header or Basic auth, and reuses it until it expires', async () => {
    const { env } = t.tenant;
    expect(env).toEqual({
      ONELOGIN_URL: BASE,
      ONELOGIN_CLIENT_ID: expect.any(String),
      ONELOGIN_CLIENT_SECRET: expect.any(String),
    });
    const first = await client.post<Token>('auth/oauth2/v2/token', {
      headers: {
        authorization: `client_id:${env.ONELOGIN_CLIENT_ID}, client_secret:${env.ONELOGIN_CLIENT_SECRET}`,
      },
      json: { grant_type: 'client_credentials' },
    });
    expect(first.statusCode).toBe(200);
    expect(first.body).toEqual({
      access_token: expect.any(String),
      created_at: new Date(t.clock.now).toISOString(),
      expires_in: 36000,
      refresh_token: expect.any(String),
      token_type: 'bearer',
      account_id: t.store.accountId,
    });

    t.clock.now += 60_000;
    const basic = await client.post<Token>('auth/oauth2/v2/token', {
      username: env.ONELOGIN_CLIENT_ID!,
      password: env.ONELOGIN_CLIENT_SECRET!,
      form: { grant_type: 'client_credentials' },
    });
    expect(basic.statusCode).toBe(200);
    expect(basic.body.access_token).toBe(first.body.access_token);
    expect(basic.body.expires_in).toBe(36000 - 60);

    // Once it expires, the old token is refused and a new one is issued.
    t.clock.now += 36_000_000;
    const stale = await client.get('api/2/users', {
      headers: { authorization: `bearer ${first.body.access_token}` },
    });
    expect(stale.statusCode).toBe(401);
    const next = await tokenFor(env);
    expect(next).not.toBe(first.body.access_token);
    const ok = await client.get('api/2/users', { headers: { authorization: `Bearer ${next}` } });
    expect(ok.statusCode).toBe(200);
    expect(t.instrument.count({ tenant: 'onelogin', route: '/auth/oauth2/v2/token' })).toBe(3);
  });

  it('refuses bad credentials and a wrong grant type', async () => {
    const bad = await client.post<ErrorBody>('auth/oauth2/v2/token', {
      headers: { authorization: 'client_id:nope, client_secret:nope' },
      json: { grant_type: 'client_credentials' },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toEqual({
      message: 'Authentication Failure',
      statusCode: 401,
      name: 'UnauthorizedError',
    });
    const grant = await client.post<ErrorBody>('auth/oauth2/v2/token', {
      username: t.store.clientId,
      password: t.store.clientSecret,
      json: { grant_type: 'password' },
    });
    expect(grant.statusCode).toBe(400);
    expect(grant.body.name).toBe('BadRequestError');
  });

  it('answers 401 without a token or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'bearer not-a-token' }, { authorization: 'Basic abc' }]) {
      const res = await client.get<ErrorBody>('api/2/users', { headers });
      expect(res.statusCode).toBe(401);
      expect(res.body).toEqual({
        message: 'Authentication Failure',
        statusCode: 401,
        name: 'UnauthorizedError',
      });
      expect(res.headers['x-ratelimit-limit']).toBe('5000');
    }
    // The docs' `bearer:<token>` spelling works too.
    const token = await tokenFor(t.tenant.env);
    const colon = await client.get('api/2/roles', { headers: { authorization: `bearer:${token}` } });
    expect(colon.statusCode).toBe(200);
    // Endpoints the emulator doesn't declare are not silently answered.
    await expect(
      client.get('api/2/privileges', { headers: { authorization: `bearer ${token}` } }),
    ).rejects.toThrow();
  });
});

describe('OneLogin users', () => {
  let t: ReturnType<typeof freshTenant>;
  let api: Got;
  beforeAll(async () => {
    t = freshTenant();
    api = await authed(t.tenant.env);
  });

  it('pages through all users with After-Cursor', async () => {
    const expected = t.store.users().map((u) => u.id);
    expect(expected.length).toBeGreaterThan(25);
    t.instrument.reset();
    const seen: number[] = [];
    let res = await api.get<OneLoginUser[]>('api/2/users', { searchParams: { limit: 10 } });
    let pages = 1;
    expect(res.headers['total-count']).toBe(String(expected.length));
    expect(res.headers['total-pages']).toBe(String(Math.ceil(expected.length / 10)));
    expect(res.headers['before-cursor']).toBeUndefined();
    expect(res.headers.link).toContain(`<${BASE}/api/2/users?cursor=`);
    expect(res.headers.link).toContain('rel="next"');
    for (;;) {
      expect(Array.isArray(res.body)).toBe(true);
      expect(res.headers['current-page']).toBe(String(pages));
      expect(res.headers['page-items']).toBe(String(res.body.length));
      seen.push(...res.body.map((u) => u.id));
      const after = res.headers['after-cursor'];
      if (!after) break;
      expect(typeof after).toBe('string');
      res = await api.get<OneLoginUser[]>('api/2/users', { searchParams: { cursor: after as string } });
      pages++;
      if (pages === 2) expect(res.headers['before-cursor']).toBeDefined();
    }
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 10));
    expect(t.instrument.count({ tenant: 'onelogin', method: 'GET', route: '/api/2/users' })).toBe(pages);
    // The last page names no After-Cursor and no rel="next".
    expect(res.headers.link ?? '').not.toContain('rel="next"');
  });

  it('clamps limit to 100 and pages by page number too', async () => {
    const big = await api.get<OneLoginUser[]>('api/2/users', { searchParams: { limit: 1000 } });
    expect(big.body.length).toBeLessThanOrEqual(100);
    const second = await api.get<OneLoginUser[]>('api/2/users', { searchParams: { limit: 5, page: 2 } });
    expect(second.body.map((u) => u.id)).toEqual(
      t.store
        .users()
        .slice(5, 10)
        .map((u) => u.id),
    );
    const bad = await api.get<ErrorBody>('api/2/users', { searchParams: { limit: 'x' } });
    expect(bad.statusCode).toBe(400);
    const cursor = await api.get<ErrorBody>('api/2/users', { searchParams: { cursor: '!!!' } });
    expect(cursor.statusCode).toBe(400);
    expect(cursor.body.name).toBe('BadRequestError');
  });

  it('filters by email, username, names, ids, dates, custom attributes; sorts; picks fields', async () => {
    const get = async (searchParams: Record<string, string | number>) =>
      (await api.get<OneLoginUser[]>('api/2/users', { searchParams: { limit: 100, ...searchParams } })).body;
    const all = t.store.users();

    expect((await get({ email: 'GINA.GLOBEX@globex.test' })).map((u) => u.firstname)).toEqual(['Gina']);
    expect(await get({ email: '*@globex.test' })).toHaveLength(Math.min(all.length, 100));
    expect((await get({ username: 'gina*' })).map((u) => u.lastname)).toEqual(['Globex']);
    expect((await get({ firstname: 'gina', lastname: 'globex' })).length).toBe(1);
    const some = all.slice(3, 6).map((u) => u.id);
    expect((await get({ user_ids: [...some, 1].join(',') })).map((u) => u.id)).toEqual(some);
    const emp = all[4]!.custom_attributes.employeenumber!;
    expect((await get({ 'custom_attributes.employeenumber': emp })).map((u) => u.id)).toEqual([all[4]!.id]);

    const fields = await get({ fields: 'email,status', limit: 2 });
    expect(fields[0]).toEqual({ id: all[0]!.id, email: all[0]!.email, status: all[0]!.status });

    const desc = await get({ sort: '-id', limit: 3 });
    expect(desc.map((u) => u.id)).toEqual(
      all
        .map((u) => u.id)
        .reverse()
        .slice(0, 3),
    );

    t.clock.now += 1000;
    const since = new Date(t.clock.now).toISOString();
    await api.put(`api/2/users/${all[7]!.id}`, { json: { title: 'Updated' } });
    expect((await get({ updated_since: since })).map((u) => u.id)).toEqual([all[7]!.id]);
  });

  it('filters survive the cursor (a client may send only cursor=)', async () => {
    const first = await api.get<OneLoginUser[]>('api/2/users', {
      searchParams: { email: '*@globex.test', limit: 4 },
    });
    const after = first.headers['after-cursor'] as string;
    const next = await api.get<OneLoginUser[]>('api/2/users', { searchParams: { cursor: after } });
    expect(next.headers['current-page']).toBe('2');
    expect(next.body).toHaveLength(4);
    expect(next.body[0]!.id).toBe(t.store.users()[4]!.id);
  });

  it('creates users (201, status 7 without password) and rejects duplicates with 422', async () => {
    const created = await api.post<OneLoginUser>('api/2/users', {
      json: {
        username: 'new.hire@globex.test',
        email: 'new.hire@globex.test',
        firstname: 'New',
        lastname: 'Hire',
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(Number),
      username: 'new.hire@globex.test',
      firstname: 'New',
      state: 1,
      status: 7,
      role_ids: [],
      custom_attributes: {},
      manager_user_id: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const fetched = await api.get<OneLoginUser>(`api/2/users/${created.body.id}`);
    expect(fetched.body).toEqual(created.body);

    const withPassword = await api.post<OneLoginUser>('api/2/users', {
      json: { email: 'pw@globex.test', password: 'S3cret!!', password_confirmation: 'S3cret!!' },
    });
    expect(withPassword.statusCode).toBe(201);
    expect(withPassword.body.status).toBe(1);
    expect(JSON.stringify(withPassword.body)).not.toContain('S3cret');

    const dupUser = await api.post<ErrorBody>('api/2/users', { json: { username: 'NEW.HIRE@globex.test' } });
    expect(dupUser.statusCode).toBe(422);
    expect(dupUser.body).toEqual({
      message: 'Validation failed: Username has already been taken',
      statusCode: 422,
      name: 'UnprocessableEntityError',
    });
    const dupEmail = await api.post<ErrorBody>('api/2/users', {
      json: { username: 'other', email: 'gina.globex@globex.test' },
    });
    expect(dupEmail.statusCode).toBe(422);
    expect(dupEmail.body.message).toBe('Validation failed: Email has already been taken');
    const none = await api.post<ErrorBody>('api/2/users', { json: { firstname: 'Nobody' } });
    expect(none.statusCode).toBe(422);
    expect(none.body.message).toMatch(/^Validation failed: /);
  });

  it('updates with PUT, including status to suspend and re-activate', async () => {
    const gina = t.store.findUserByUsername('gina.globex@globex.test')!;
    t.clock.now += 5000;
    const res = await api.put<OneLoginUser>(`api/2/users/${gina.id}`, {
      json: { title: 'Sales Director', status: 2, custom_attributes: { food: 'chicken' } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatchObject({ id: gina.id, title: 'Sales Director', status: 2, firstname: 'Gina' });
    expect(res.body.custom_attributes).toEqual({ ...gina.custom_attributes, food: 'chicken' });
    expect(res.body.role_ids).toEqual(gina.role_ids);
    expect(res.body.updated_at).toBe(new Date(t.clock.now).toISOString());
    expect(t.store.user(gina.id)?.status).toBe(2);
    expect((await api.put<OneLoginUser>(`api/2/users/${gina.id}`, { json: { status: 1 } })).body.status).toBe(
      1,
    );

    const invalid = await api.put<ErrorBody>(`api/2/users/${gina.id}`, { json: { status: 6 } });
    expect(invalid.statusCode).toBe(422);
    const taken = await api.put<ErrorBody>(`api/2/users/${gina.id}`, {
      json: { username: t.store.users().find((u) => u.id !== gina.id)!.username },
    });
    expect(taken.statusCode).toBe(422);
    const missing = await api.put<ErrorBody>('api/2/users/1', { json: { title: 'x' } });
    expect(missing.statusCode).toBe(404);
  });

  it('deletes with 204 and then answers 404 with the v2 error body', async () => {
    const victim = t.store.users().find((u) => u.role_ids.length > 0)!;
    const del = await api.delete(`api/2/users/${victim.id}`);
    expect(del.statusCode).toBe(204);
    expect(del.rawBody.length).toBe(0);
    const gone = await api.get<ErrorBody>(`api/2/users/${victim.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toEqual({
      message: 'The resource with the given id could not be found',
      statusCode: 404,
      name: 'NotFoundError',
    });
    for (const roleId of victim.role_ids)
      expect(t.store.roleUsers(roleId).map((m) => m.id)).not.toContain(victim.id);
    expect((await api.delete(`api/2/users/${victim.id}`)).statusCode).toBe(404);
    expect((await api.get('api/2/users/not-a-number')).statusCode).toBe(404);
  });
});

describe('OneLogin roles', () => {
  let t: ReturnType<typeof freshTenant>;
  let api: Got;
  beforeAll(async () => {
    t = freshTenant();
    api = await authed(t.tenant.env);
  });

  it('lists roles as a bare array with paging headers, name filter and fields', async () => {
    const res = await api.get<{ id: number; name: string; users?: number[] }[]>('api/2/roles');
    expect(res.statusCode).toBe(200);
    expect(res.body.map((r) => r.name)).toEqual(company.onelogin.roles);
    expect(Object.keys(res.body[0]!)).toEqual(['id', 'name']);
    expect(res.headers['total-count']).toBe(String(company.onelogin.roles.length));
    expect(res.headers['after-cursor']).toBeUndefined();

    const sales = await api.get<{ id: number; name: string; users?: number[] }[]>('api/2/roles', {
      searchParams: { name: '*sales', fields: 'users' },
    });
    expect(sales.body.map((r) => r.name)).toEqual(['Globex Sales']);
    expect(sales.body[0]!.users).toEqual(t.store.roleUsers(sales.body[0]!.id).map((m) => m.id));

    const paged = await api.get<unknown[]>('api/2/roles', { searchParams: { limit: 2 } });
    expect(paged.body).toHaveLength(2);
    expect(paged.headers['after-cursor']).toBeDefined();
  });

  it('creates a role (201 [{id}]), refuses a duplicate name, reads it back', async () => {
    const res = await api.post<{ id: number }[]>('api/2/roles', {
      json: { name: 'accord: Salesforce Admins' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).toEqual([{ id: expect.any(Number) }]);
    const id = res.body[0]!.id;
    const role = await api.get(`api/2/roles/${id}`);
    expect(role.body).toEqual({ id, name: 'accord: Salesforce Admins', apps: [], users: [], admins: [] });
    const dup = await api.post<ErrorBody>('api/2/roles', { json: { name: 'ACCORD: salesforce admins' } });
    expect(dup.statusCode).toBe(422);
    expect(dup.body.name).toBe('UnprocessableEntityError');
    expect((await api.get<ErrorBody>('api/2/roles/999')).body.name).toBe('NotFoundError');
  });

  it('adds and removes role users with raw arrays and keeps role_ids consistent', async () => {
    const role = t.store.findRoleByName('Globex Support')!;
    const before = t.store.roleUsers(role.id).map((m) => m.id);
    const outsiders = t.store
      .users()
      .filter((u) => !u.role_ids.includes(role.id))
      .slice(0, 3)
      .map((u) => u.id);
    expect(outsiders).toHaveLength(3);

    const add = await api.post<{ id: number }[]>(`api/2/roles/${role.id}/users`, { json: outsiders });
    expect(add.statusCode).toBe(200);
    expect(add.body).toEqual(outsiders.map((id) => ({ id })));
    for (const id of outsiders) expect(t.store.user(id)?.role_ids).toContain(role.id);
    const user = await api.get<OneLoginUser>(`api/2/users/${outsiders[0]}`);
    expect(user.body.role_ids).toContain(role.id);

    // Role users: bare array of {id,name,username,added_by,added_at,assigned}, paged.
    const rows: OneLoginRoleUser[] = [];
    let res = await api.get<OneLoginRoleUser[]>(`api/2/roles/${role.id}/users`, {
      searchParams: { limit: 2 },
    });
    for (;;) {
      rows.push(...res.body);
      const after = res.headers['after-cursor'] as string | undefined;
      if (!after) break;
      res = await api.get<OneLoginRoleUser[]>(`api/2/roles/${role.id}/users`, {
        searchParams: { cursor: after },
      });
    }
    expect(rows.map((r) => r.id)).toEqual([...before, ...outsiders].sort((a, b) => a - b));
    const added = rows.find((r) => r.id === outsiders[0])!;
    const u0 = t.store.user(outsiders[0]!)!;
    expect(added).toEqual({
      id: u0.id,
      name: `${u0.firstname} ${u0.lastname}`,
      username: u0.username,
      added_by: { id: expect.any(Number), name: expect.any(String) },
      added_at: new Date(t.clock.now).toISOString(),
      assigned: true,
    });

    const remove = await api.delete(`api/2/roles/${role.id}/users`, { json: outsiders.slice(0, 2) });
    expect(remove.statusCode).toBe(204);
    expect(t.store.roleUsers(role.id).map((m) => m.id)).toEqual(
      [...before, outsiders[2]!].sort((a, b) => a - b),
    );
    expect(t.store.user(outsiders[0]!)?.role_ids).not.toContain(role.id);
    expect(t.store.user(outsiders[2]!)?.role_ids).toContain(role.id);
  });

  it('renames and deletes roles, dropping the role from its members role_ids', async () => {
    const created = await api.post<{ id: number }[]>('api/2/roles', {
      json: {
        name: 'Temp',
        users: t.store
          .users()
          .slice(0, 2)
          .map((u) => u.id),
      },
    });
    const id = created.body[0]!.id;
    const members = t.store.roleUsers(id).map((m) => m.id);
    expect(members).toHaveLength(2);
    for (const m of members) expect(t.store.user(m)?.role_ids).toContain(id);

    const unassigned = await api.get<OneLoginRoleUser[]>(`api/2/roles/${id}/users`, {
      searchParams: { include_unassigned: 'true', limit: 3 },
    });
    expect(unassigned.body.map((r) => r.assigned)).toEqual([true, true, false]);
    expect(unassigned.headers['total-count']).toBe(String(t.store.users().length));

    const renamed = await api.put<{ id: number }>(`api/2/roles/${id}`, { json: { name: 'Temp 2' } });
    expect(renamed.body).toEqual({ id });
    expect(t.store.findRoleByName('temp 2')?.id).toBe(id);
    expect((await api.delete(`api/2/roles/${id}`)).statusCode).toBe(204);
    for (const m of members) expect(t.store.user(m)?.role_ids).not.toContain(id);
    expect((await api.get(`api/2/roles/${id}/users`)).statusCode).toBe(404);
  });

  it('rejects role-user bodies that are not raw arrays, unknown users and unknown roles', async () => {
    const role = t.store.findRoleByName('Globex Sales')!;
    const wrapped = await api.post<ErrorBody>(`api/2/roles/${role.id}/users`, { json: { users: [1] } });
    expect(wrapped.statusCode).toBe(400);
    expect(wrapped.body).toEqual({ message: expect.any(String), statusCode: 400, name: 'BadRequestError' });
    const strings = await api.post<ErrorBody>(`api/2/roles/${role.id}/users`, { json: ['1'] });
    expect(strings.statusCode).toBe(400);
    const unknown = await api.post<ErrorBody>(`api/2/roles/${role.id}/users`, { json: [1] });
    expect(unknown.statusCode).toBe(422);
    const noRole = await api.post<ErrorBody>('api/2/roles/1/users', { json: [t.store.users()[0]!.id] });
    expect(noRole.statusCode).toBe(404);
  });
});

describe('OneLogin rate limit', () => {
  it('sends X-RateLimit-* with Reset in seconds remaining, and 429s once the hourly budget is spent', async () => {
    const t = freshTenant({ rateLimitPerHour: 5 });
    const api = await authed(t.tenant.env);
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api.get('api/2/roles');
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('5');
      remaining.push(res.headers['x-ratelimit-remaining'] as string);
      t.clock.now += 1000;
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    const limited = await api.get<ErrorBody>('api/2/users');
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toEqual({
      message: 'Rate limit exceeded',
      statusCode: 429,
      name: 'TooManyRequestsError',
    });
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(limited.headers['x-ratelimit-reset']).toBe(String(3600 - 5));

    const status = await api.get('auth/rate_limit');
    expect(status.body).toEqual({
      status: { error: false, code: 200, type: 'success', message: 'Success' },
      data: { 'X-RateLimit-Limit': 5, 'X-RateLimit-Remaining': 0, 'X-RateLimit-Reset': 3600 - 5 },
    });

    t.clock.now += 3600_000;
    const again = await api.get('api/2/roles');
    expect(again.statusCode).toBe(200);
    expect(again.headers['x-ratelimit-remaining']).toBe('4');
    expect(again.headers['x-ratelimit-reset']).toBe('3600');
  });

  it('answers an injected rate-limit fault with the same 429', async () => {
    const t = freshTenant();
    const api = await authed(t.tenant.env);
    t.instrument.setFaults('onelogin', { rateLimitRate: 1 });
    const res = await api.get<ErrorBody>('api/2/users');
    t.instrument.clearFaults();
    expect(res.statusCode).toBe(429);
    expect(res.body).toEqual({
      message: 'Rate limit exceeded',
      statusCode: 429,
      name: 'TooManyRequestsError',
    });
    expect(res.headers['x-ratelimit-remaining']).toBe('0');
    expect(t.instrument.count({ tenant: 'onelogin', route: '/api/2/users', includeFaults: true })).toBe(1);
    expect(t.instrument.requests({ route: '/api/2/users' })[0]?.fault).toBe('rate-limit');
    expect((await api.get('api/2/users')).statusCode).toBe(200);
  });
});

describe('OneLogin with a plain fetch client', () => {
  it('follows the documented cursor protocol until After-Cursor is absent', async () => {
    const t = freshTenant();
    const { ONELOGIN_URL, ONELOGIN_CLIENT_ID, ONELOGIN_CLIENT_SECRET } = t.tenant.env;
    const tokenRes = await fetch(`${ONELOGIN_URL}/auth/oauth2/v2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ONELOGIN_CLIENT_ID}:${ONELOGIN_CLIENT_SECRET}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    const { access_token } = (await tokenRes.json()) as Token;
    const headers = { authorization: `bearer ${access_token}` };

    const ids: number[] = [];
    let url: string | undefined = `${ONELOGIN_URL}/api/2/users?limit=7`;
    let calls = 0;
    while (url) {
      const res: Response = await fetch(url, { headers });
      expect(res.status).toBe(200);
      calls++;
      const body = (await res.json()) as { id: number }[];
      ids.push(...body.map((u) => u.id));
      const after = res.headers.get('After-Cursor');
      url = after ? `${ONELOGIN_URL}/api/2/users?cursor=${encodeURIComponent(after)}` : undefined;
    }
    expect(ids).toEqual(t.store.users().map((u) => u.id));
    expect(calls).toBe(Math.ceil(ids.length / 7));

    // Add a member with a raw array body, then read the role's users back.
    const role = t.store.findRoleByName('Globex Support')!;
    const outsider = t.store.users().find((u) => !u.role_ids.includes(role.id))!;
    const add = await fetch(`${ONELOGIN_URL}/api/2/roles/${role.id}/users`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify([outsider.id]),
    });
    expect(add.status).toBe(200);
    expect(await add.json()).toEqual([{ id: outsider.id }]);
    const members = (await (
      await fetch(`${ONELOGIN_URL}/api/2/roles/${role.id}/users?limit=650`, { headers })
    ).json()) as OneLoginRoleUser[];
    expect(members.map((m) => m.id)).toContain(outsider.id);
    const del = await fetch(`${ONELOGIN_URL}/api/2/roles/${role.id}/users`, {
      method: 'DELETE',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify([outsider.id]),
    });
    expect(del.status).toBe(204);
    expect(t.store.user(outsider.id)?.role_ids).not.toContain(role.id);
  });
});
