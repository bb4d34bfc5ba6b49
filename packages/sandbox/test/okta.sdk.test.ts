import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import okta from '@okta/okta-sdk-nodejs';
import { exportJWK, generateKeyPair } from 'jose';
import { setupServer } from 'msw/node';
import { generateCompany } from '../src/company.js';
import { Instrument } from '../src/instrument.js';
import {
  OKTA_SANDBOX_TOKEN,
  OktaStore,
  oktaTenant,
  seedOkta,
  type OktaTenantOptions,
} from '../src/okta/index.js';

/** The real @okta/okta-sdk-nodejs v8 against the emulated org, through msw. */

const ORG = 'https://acme.okta.test';
// About 470 Okta people: the plain user list needs three pages of 200.
const seeded = seedOkta(generateCompany({ seed: 42, people: 520 })).toJSON();
const server = setupServer();

function fresh(options: OktaTenantOptions = {}) {
  const store = OktaStore.fromJSON(seeded);
  const instrument = new Instrument(3);
  const tenant = oktaTenant(store, ORG, instrument, options);
  server.resetHandlers(...tenant.handlers);
  const client = new okta.Client({ orgUrl: ORG, token: tenant.env.OKTA_API_TOKEN, cacheMiddleware: null });
  return { store, instrument, tenant, client };
}

/** Drains a Collection (its iterator types items as nullable). */
async function collect<T>(collection: AsyncIterable<T | null>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of collection) if (item) out.push(item);
  return out;
}

/** The OktaApiError the SDK throws, as a plain record for assertions. */
async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

describe('Okta emulator through the SDK: users', () => {
  it('pages through listUsers with Link headers, leaving DEPROVISIONED users out', async () => {
    const { store, instrument, client } = fresh();
    const users = await collect(await client.userApi.listUsers({}));
    const expected = store.users().filter((u) => u.status !== 'DEPROVISIONED');
    expect(expected.length).toBeGreaterThan(400);
    expect(expected.length).toBeLessThanOrEqual(600);
    expect(users.map((u) => u.id)).toEqual(expected.map((u) => u.id));
    expect(instrument.count({ tenant: 'okta', method: 'GET', route: '/api/v1/users' })).toBe(3);
    expect(users[0]?.profile?.login).toBe(expected[0]?.profile.login);
  });

  it('filters and searches, including DEPROVISIONED users', async () => {
    const { store, client } = fresh();
    const deprovisioned = await collect(
      await client.userApi.listUsers({ filter: 'status eq "DEPROVISIONED"' }),
    );
    expect(deprovisioned.map((u) => u.profile?.login)).toEqual(
      expect.arrayContaining(['sam.leaver@acme.test', 'robin.gone@acme.test']),
    );
    expect(deprovisioned.every((u) => u.status === 'DEPROVISIONED')).toBe(true);

    const leaver = await collect(
      await client.userApi.listUsers({ search: 'profile.login eq "sam.leaver@acme.test"' }),
    );
    expect(leaver.map((u) => u.status)).toEqual(['DEPROVISIONED']);

    const dana = store.findUserByLogin('dana.boss@acme.test')!;
    const reports = await collect(
      await client.userApi.listUsers({ search: `profile.managerId eq "${dana.id}" and status eq "ACTIVE"` }),
    );
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((u) => u.profile?.manager === 'dana.boss@acme.test')).toBe(true);

    const updatedLate = await collect(
      await client.userApi.listUsers({ filter: 'lastUpdated gt "2030-01-01T00:00:00.000Z"' }),
    );
    expect(updatedLate).toEqual([]);

    const lopez = await collect(await client.userApi.listUsers({ search: 'profile.lastName sw "lop"' }));
    expect(lopez.map((u) => u.profile?.login)).toContain('ana.lopez@acme.test');
  });

  it('creates users STAGED, PROVISIONED or ACTIVE and refuses a duplicate login', async () => {
    const { client, store } = fresh();
    const profile = (login: string) => ({ login, email: login, firstName: 'New', lastName: 'Person' });

    const staged = await client.userApi.createUser({
      body: { profile: profile('new.staged@acme.test') },
      activate: false,
    });
    expect(staged.status).toBe('STAGED');
    expect(staged.id).toMatch(/^00u[0-9A-Za-z]{17}$/);
    expect(staged._links?.self?.href).toBe(`${ORG}/api/v1/users/${staged.id}`);

    const provisioned = await client.userApi.createUser({
      body: { profile: profile('new.provisioned@acme.test') },
      activate: true,
    });
    expect(provisioned.status).toBe('PROVISIONED');

    const sales = store.findGroupByName('Sales')!;
    const active = await client.userApi.createUser({
      body: {
        profile: profile('new.active@acme.test'),
        credentials: { password: { value: 'correct-Horse-9' } },
        groupIds: [sales.id],
      },
    });
    expect(active.status).toBe('ACTIVE');
    expect(store.isMember(sales.id, active.id!)).toBe(true);
    expect(store.isMember(store.everyone()!.id, active.id!)).toBe(true);

    const duplicate = await failure(
      client.userApi.createUser({ body: { profile: profile('DANA.BOSS@acme.test') } }),
    );
    expect(duplicate).toMatchObject({
      status: 400,
      errorCode: 'E0000001',
      errorSummary: 'Api validation failed: login',
    });
    expect(duplicate.errorCauses).toEqual([
      { errorSummary: expect.stringContaining('login: An object with this field already exists') },
    ]);
  });

  it('updates a profile partially with POST', async () => {
    const { client, store } = fresh();
    const ana = store.findUserByLogin('ana.lopez@acme.test')!;
    const before = { ...ana.profile };
    const updated = await client.userApi.updateUser({
      userId: ana.id,
      user: { profile: { title: 'Senior AE' } },
    });
    expect(updated.profile?.title).toBe('Senior AE');
    expect(updated.profile?.department).toBe(before.department);
    expect(updated.profile?.managerId).toBe(before.managerId);
    expect(store.getUser(ana.id)?.profile).toEqual({ ...before, title: 'Senior AE' });
    expect(Date.parse(updated.lastUpdated as unknown as string)).toBeGreaterThan(Date.parse(ana.created));
  });

  it('runs lifecycle operations and rejects invalid transitions', async () => {
    const { client, store } = fresh();
    const kim = store.findUserByLogin('kim.mover@acme.test')!;
    await client.userApi.suspendUser({ userId: kim.id });
    expect(store.getUser(kim.id)?.status).toBe('SUSPENDED');

    const again = await failure(client.userApi.suspendUser({ userId: kim.id }));
    expect(again).toMatchObject({ status: 400, errorCode: 'E0000001' });
    expect(again.constructor.name).toBe('OktaApiError');

    await client.userApi.unsuspendUser({ userId: kim.id });
    expect(store.getUser(kim.id)?.status).toBe('ACTIVE');
    await client.userApi.deactivateUser({ userId: kim.id });
    expect(store.getUser(kim.id)?.status).toBe('DEPROVISIONED');
    const token = await client.userApi.activateUser({ userId: kim.id, sendEmail: false });
    expect(token.activationToken).toMatch(/^\w{20}$/);
    expect(token.activationUrl).toBe(`${ORG}/tokens/${token.activationToken}/verify`);
    expect(store.getUser(kim.id)?.status).toBe('ACTIVE');

    store.setStatus(kim.id, 'LOCKED_OUT');
    await client.userApi.unlockUser({ userId: kim.id });
    expect(store.getUser(kim.id)?.status).toBe('ACTIVE');

    const missing = await failure(client.userApi.suspendUser({ userId: '00uDOESNOTEXIST00000' }));
    expect(missing).toMatchObject({ status: 404, errorCode: 'E0000007' });
  });

  it('deletes in two steps: deactivate, then delete', async () => {
    const { client, store } = fresh();
    const chris = store.findUserByLogin('chris.drift@acme.test')!;
    await client.userApi.deleteUser({ userId: chris.id });
    expect(store.getUser(chris.id)?.status).toBe('DEPROVISIONED');
    await client.userApi.deleteUser({ userId: chris.id });
    expect(store.getUser(chris.id)).toBeUndefined();
    expect(await failure(client.userApi.getUser({ userId: chris.id }))).toMatchObject({ status: 404 });
  });
});

describe('Okta emulator through the SDK: groups', () => {
  it('lists groups with filter, q and stats', async () => {
    const { client, store } = fresh();
    const groups = await collect(await client.groupApi.listGroups({ expand: 'stats' }));
    expect(groups.map((g) => g.id)).toEqual(store.groups().map((g) => g.id));
    const everyone = groups.find((g) => g.profile?.name === 'Everyone')!;
    expect(everyone.type).toBe('BUILT_IN');
    expect((everyone._embedded as { stats: { usersCount: number } }).stats.usersCount).toBe(store.userCount);

    const appGroups = await collect(await client.groupApi.listGroups({ filter: 'type eq "APP_GROUP"' }));
    expect(appGroups.map((g) => g.profile?.name)).toEqual(['AD Domain Users']);
    const salesPrefix = await collect(await client.groupApi.listGroups({ q: 'Sales' }));
    expect(salesPrefix.map((g) => g.profile?.name).sort()).toEqual([
      'Sales',
      'Sales Managers',
      'Salesforce Admins',
    ]);
  });

  it('pages group members and lists a user’s groups', async () => {
    const { client, store, instrument } = fresh();
    const sales = store.findGroupByName('Sales')!;
    const members = await collect(await client.groupApi.listGroupUsers({ groupId: sales.id, limit: 50 }));
    expect(members.map((u) => u.id)).toEqual(store.memberIds(sales.id));
    expect(instrument.count({ route: '/api/v1/groups/:groupId/users' })).toBe(
      Math.ceil(store.memberCount(sales.id) / 50),
    );
    const ana = store.findUserByLogin('ana.lopez@acme.test')!;
    const groups = await collect(await client.userApi.listUserGroups({ userId: ana.id }));
    expect(groups.map((g) => g.profile?.name).sort()).toEqual(['EMEA', 'Everyone', 'Sales']);
  });

  it('assigns and unassigns OKTA_GROUP members (204) and refuses APP_GROUP and BUILT_IN', async () => {
    const { client, store, instrument } = fresh();
    const lee = store.findUserByLogin('lee.admin@acme.test')!;
    const admins = store.findGroupByName('Salesforce Admins')!;
    await client.groupApi.assignUserToGroup({ groupId: admins.id, userId: lee.id });
    expect(store.isMember(admins.id, lee.id)).toBe(true);
    await client.groupApi.unassignUserFromGroup({ groupId: admins.id, userId: lee.id });
    expect(store.isMember(admins.id, lee.id)).toBe(false);
    expect(
      instrument.requests({ route: '/api/v1/groups/:groupId/users/:userId' }).map((r) => r.status),
    ).toEqual([204, 204]);

    const ad = store.findGroupByName('AD Domain Users')!;
    expect(
      await failure(client.groupApi.assignUserToGroup({ groupId: ad.id, userId: lee.id })),
    ).toMatchObject({
      status: 403,
      errorCode: 'E0000006',
    });
    const everyone = store.everyone()!;
    expect(
      await failure(client.groupApi.unassignUserFromGroup({ groupId: everyone.id, userId: lee.id })),
    ).toMatchObject({ status: 403, errorCode: 'E0000006' });
    expect(store.isMember(everyone.id, lee.id)).toBe(true);
  });

  it('creates a group', async () => {
    const { client, store } = fresh();
    const group = await client.groupApi.createGroup({
      group: { profile: { name: 'Partners', description: 'Partner reps' } },
    });
    expect(group.id).toMatch(/^00g[0-9A-Za-z]{17}$/);
    expect(group.type).toBe('OKTA_GROUP');
    expect(store.findGroupByName('partners')?.id).toBe(group.id);
  });
});

describe('Okta emulator through the SDK: rate limits and OAuth', () => {
  it('answers 429 when a bucket is spent and the SDK retries after the reset', async () => {
    // Windows are aligned to the epoch second: with a budget of 1, three reads (at most two
    // windows) always put two in one window, however slow the machine. A budget of 2 failed
    // whenever the reads straddled a second.
    const { client, store, instrument } = fresh({ rateLimits: { limits: { user: 1 }, windowSeconds: 1 } });
    const ana = store.findUserByLogin('ana.lopez@acme.test')!;
    const backoffs: number[] = [];
    client.requestExecutor.on('backoff', (_req: unknown, _res: unknown, _id: unknown, delayMs: number) =>
      backoffs.push(delayMs),
    );
    for (let i = 0; i < 3; i++) {
      const user = await client.userApi.getUser({ userId: ana.id });
      expect(user.id).toBe(ana.id);
    }
    const statuses = instrument.requests({ route: '/api/v1/users/:userId' }).map((r) => r.status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(backoffs.length).toBeGreaterThan(0);
    expect(Math.max(...backoffs)).toBeLessThanOrEqual(3000);
  });

  it('retries an injected rate-limit fault the same way', async () => {
    const { client, store, instrument } = fresh();
    instrument.setFaults('okta', { burstEvery: 1, burstLength: 1 });
    // burstEvery 1 would fault every request; one fault is enough, so stop after the first.
    const user = store.findUserByLogin('sam.admin@acme.test')!;
    client.requestExecutor.on('backoff', () => instrument.clearFaults());
    const got = await client.userApi.getUser({ userId: user.id });
    expect(got.id).toBe(user.id);
    expect(instrument.requests().map((r) => [r.status, r.fault])).toEqual([
      [429, 'rate-limit'],
      [200, undefined],
    ]);
  });

  it('issues access tokens to a private-key client and enforces scopes', async () => {
    const { store } = fresh();
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid: 'k1' };
    const app = store.registerOAuthClient({ scopes: ['okta.users.read'], publicKeys: [publicJwk] });
    const client = new okta.Client({
      orgUrl: ORG,
      authorizationMode: 'PrivateKey',
      clientId: app.clientId,
      scopes: ['okta.users.read'],
      privateKey: privateJwk,
      keyId: 'k1',
      cacheMiddleware: null,
    });
    const first = await client.userApi.listUsers({ limit: 5 });
    const five: unknown[] = [];
    await first.each((u) => {
      five.push(u);
      return five.length < 5;
    });
    expect(five).toHaveLength(5);
    const denied = await failure(client.groupApi.assignUserToGroup({ groupId: 'x', userId: 'y' }));
    expect(denied).toMatchObject({ status: 403, errorCode: 'E0000006' });

    const stranger = await generateKeyPair('RS256', { extractable: true });
    const impostor = new okta.Client({
      orgUrl: ORG,
      authorizationMode: 'PrivateKey',
      clientId: app.clientId,
      scopes: ['okta.users.read'],
      privateKey: { ...(await exportJWK(stranger.privateKey)), kid: 'k1' },
      cacheMiddleware: null,
    });
    expect(await failure(impostor.userApi.getUser({ userId: 'dana.boss@acme.test' }))).toMatchObject({
      status: 401,
    });
  });

  it('rejects a wrong API token with 401 E0000011', async () => {
    fresh();
    const client = new okta.Client({
      orgUrl: ORG,
      token: `${OKTA_SANDBOX_TOKEN}-wrong`,
      cacheMiddleware: null,
    });
    expect(await failure(client.userApi.getUser({ userId: 'dana.boss@acme.test' }))).toMatchObject({
      status: 401,
      errorCode: 'E0000011',
      errorSummary: 'Invalid token provided',
    });
  });
});
