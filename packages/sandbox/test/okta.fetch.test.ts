import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPair, SignJWT, exportJWK } from 'jose';
import { setupServer } from 'msw/node';
import { generateCompany } from '../src/company.js';
import { Instrument } from '../src/instrument.js';
import {
  OKTA_SANDBOX_CLIENT_ID,
  OKTA_SANDBOX_TOKEN,
  OktaStore,
  oktaTenant,
  seedOkta,
  type OktaTenantOptions,
} from '../src/okta/index.js';

/**
 * An independent client of the Okta API: global fetch, following the documented protocol (the
 * Link header's rel="next" URL verbatim until there is none), so the emulator is checked against
 * the reference and not only against the SDK's code paths. Also the store and seed themselves.
 */

const ORG = 'http://127.0.0.1:4010';
const company = generateCompany({ seed: 7, people: 400 });
const seeded = seedOkta(company).toJSON();
const server = setupServer();

function fresh(options: OktaTenantOptions = {}) {
  const store = OktaStore.fromJSON(seeded);
  const instrument = new Instrument(5);
  const tenant = oktaTenant(store, ORG, instrument, options);
  server.resetHandlers(...tenant.handlers);
  return { store, instrument, tenant };
}

const SSWS = { Authorization: `SSWS ${OKTA_SANDBOX_TOKEN}`, Accept: 'application/json' };

async function call(path: string, init: RequestInit = {}, headers: Record<string, string> = SSWS) {
  const url = path.startsWith('http') ? path : `${ORG}${path}`;
  const res = await fetch(url, {
    ...init,
    headers: { ...headers, ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  return { res, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** RFC 8288 Link header parsing, by hand: `<url>; rel="x"` entries separated by commas. */
function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (header ?? '').matchAll(/<([^>]+)>\s*;\s*rel="([^"]+)"/g)) out[m[2]!] = m[1]!;
  return out;
}

async function listAll(first: string): Promise<{ items: Record<string, unknown>[]; pages: number }> {
  const items: Record<string, unknown>[] = [];
  let next: string | undefined = `${ORG}${first}`;
  let pages = 0;
  while (next) {
    const { res, body } = await call(next);
    expect(res.status).toBe(200);
    pages++;
    items.push(...(body as Record<string, unknown>[]));
    next = links(res.headers.get('link')).next;
  }
  return { items, pages };
}

const ERROR_KEYS = ['errorCauses', 'errorCode', 'errorId', 'errorLink', 'errorSummary'];

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

describe('Okta emulator over plain fetch', () => {
  it('pages users by following Link rel="next" verbatim, with absolute URLs and rate-limit headers', async () => {
    const { store } = fresh();
    const first = await call('/api/v1/users?limit=100');
    expect(first.res.headers.get('content-type')).toMatch(/^application\/json/);
    for (const h of [
      'x-rate-limit-limit',
      'x-rate-limit-remaining',
      'x-rate-limit-reset',
      'date',
      'x-okta-request-id',
    ]) {
      expect(first.res.headers.get(h)).toBeTruthy();
    }
    const reset = Number(first.res.headers.get('x-rate-limit-reset'));
    expect(reset).toBeGreaterThan(Date.now() / 1000 - 1);
    expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 61);
    const rel = links(first.res.headers.get('link'));
    expect(rel.self).toBe(`${ORG}/api/v1/users?limit=100`);
    expect(rel.next).toMatch(new RegExp(`^${ORG}/api/v1/users\\?after=00u\\w{17}&limit=100$`));

    const { items, pages } = await listAll('/api/v1/users?limit=100');
    const expected = store.users().filter((u) => u.status !== 'DEPROVISIONED');
    expect(items.map((u) => u.id)).toEqual(expected.map((u) => u.id));
    expect(pages).toBe(Math.ceil(expected.length / 100));
    const user = items[0] as {
      id: string;
      _links: { self: { href: string } };
      credentials: unknown;
      type: unknown;
    };
    expect(user._links.self.href).toBe(`${ORG}/api/v1/users/${user.id}`);
    expect(user.credentials).toEqual({ password: {}, provider: { type: 'OKTA', name: 'OKTA' } });
    expect(Object.keys(user)).toEqual(
      expect.arrayContaining([
        'id',
        'status',
        'created',
        'activated',
        'statusChanged',
        'lastLogin',
        'lastUpdated',
        'passwordChanged',
        'type',
        'profile',
      ]),
    );
  });

  it('keeps filter and search in next links and includes DEPROVISIONED users', async () => {
    const { store } = fresh();
    const filter = encodeURIComponent('status eq "ACTIVE" or status eq "DEPROVISIONED"');
    const { items, pages } = await listAll(`/api/v1/users?filter=${filter}&limit=60`);
    const expected = store.users().filter((u) => u.status === 'ACTIVE' || u.status === 'DEPROVISIONED');
    expect(items.map((u) => u.id)).toEqual(expected.map((u) => u.id));
    expect(pages).toBe(Math.ceil(expected.length / 60));
    expect(items.some((u) => u.status === 'DEPROVISIONED')).toBe(true);

    const search = encodeURIComponent(
      'profile.department eq "finance" and (profile.countryCode eq "US" or profile.countryCode eq "CA")',
    );
    const finance = await listAll(`/api/v1/users?search=${search}`);
    expect(finance.items.length).toBeGreaterThan(0);
    expect(finance.items.map((u) => u.id)).toEqual(
      store
        .users()
        .filter(
          (u) => u.profile.department === 'Finance' && ['US', 'CA'].includes(u.profile.countryCode as string),
        )
        .map((u) => u.id),
    );

    const sorted = await listAll(
      `/api/v1/users?search=${encodeURIComponent('profile.lastName sw "b"')}&sortBy=profile.firstName&sortOrder=desc&limit=7`,
    );
    const names = sorted.items.map((u) => (u.profile as { firstName: string }).firstName.toLowerCase());
    expect(names).toEqual([...names].sort().reverse());
    expect(sorted.items.length).toBe(
      store.users().filter((u) => (u.profile.lastName ?? '').toLowerCase().startsWith('b')).length,
    );
  });

  it('answers q with a short, unpaged prefix match', async () => {
    fresh();
    const { res, body } = await call('/api/v1/users?q=a');
    const users = body as { profile: { firstName: string; lastName: string; email: string } }[];
    expect(users.length).toBe(10);
    expect(links(res.headers.get('link')).next).toBeUndefined();
    for (const u of users) {
      expect(
        [u.profile.firstName, u.profile.lastName, u.profile.email].some((v) =>
          v.toLowerCase().startsWith('a'),
        ),
      ).toBe(true);
    }
  });

  it('returns Okta error bodies for bad credentials, unknown ids, bad filters and bad JSON', async () => {
    const { store } = fresh();
    const noAuth = await call('/api/v1/users', {}, {});
    expect(noAuth.res.status).toBe(401);
    expect(Object.keys(noAuth.body as object).sort()).toEqual(ERROR_KEYS);
    expect(noAuth.body).toMatchObject({
      errorCode: 'E0000011',
      errorSummary: 'Invalid token provided',
      errorLink: 'E0000011',
      errorCauses: [],
    });
    expect(noAuth.res.headers.get('x-rate-limit-remaining')).toBeTruthy();

    const missing = await call('/api/v1/users/00uNOPE0000000000000');
    expect(missing.res.status).toBe(404);
    expect(missing.body).toMatchObject({ errorCode: 'E0000007' });

    const badFilter = await call(
      `/api/v1/users?filter=${encodeURIComponent('profile.department eq "Sales"')}`,
    );
    expect(badFilter.res.status).toBe(400);
    expect(badFilter.body).toMatchObject({ errorCode: 'E0000031' });
    const notOp = await call(`/api/v1/users?search=${encodeURIComponent('status ne "ACTIVE"')}`);
    expect(notOp.res.status).toBe(400);

    const malformed = await call('/api/v1/users', {
      method: 'POST',
      body: '{"profile":',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(malformed.res.status).toBe(400);
    expect(malformed.body).toMatchObject({ errorCode: 'E0000003' });

    const byLogin = await call('/api/v1/users/ana.lopez%40acme.test');
    expect((byLogin.body as { id: string }).id).toBe(store.findUserByLogin('ana.lopez@acme.test')?.id);
  });

  it('serves lifecycle calls as empty 200s, DELETE as 204 and group membership as 204', async () => {
    const { store } = fresh();
    const ana = store.findUserByLogin('ana.lopez@acme.test')!;
    const suspend = await call(`/api/v1/users/${ana.id}/lifecycle/suspend`, { method: 'POST' });
    expect(suspend.res.status).toBe(200);
    expect(suspend.body).toBeUndefined();
    const user = (await call(`/api/v1/users/${ana.id}`)).body as {
      status: string;
      _links: Record<string, unknown>;
    };
    expect(user.status).toBe('SUSPENDED');
    expect(Object.keys(user._links)).toEqual(expect.arrayContaining(['self', 'unsuspend', 'deactivate']));
    expect(user._links.suspend).toBeUndefined();

    const wrong = await call(`/api/v1/users/${ana.id}/lifecycle/unlock`, { method: 'POST' });
    expect(wrong.res.status).toBe(400);
    expect(wrong.body).toMatchObject({
      errorCode: 'E0000001',
      errorCauses: [{ errorSummary: expect.any(String) }],
    });

    const finance = store.findGroupByName('Finance')!;
    const put = await call(`/api/v1/groups/${finance.id}/users/${ana.id}`, { method: 'PUT' });
    expect(put.res.status).toBe(204);
    expect(put.body).toBeUndefined();
    const del = await call(`/api/v1/users/${ana.id}`, { method: 'DELETE' });
    expect(del.res.status).toBe(204);
    expect(store.getUser(ana.id)?.status).toBe('DEPROVISIONED');

    const group = (await call(`/api/v1/groups/${finance.id}`)).body as {
      _links: { self: { href: string }; users: { href: string } };
    };
    expect(group._links.self.href).toBe(`${ORG}/api/v1/groups/${finance.id}`);
    expect(group._links.users.href).toBe(`${ORG}/api/v1/groups/${finance.id}/users`);
  });

  it('answers 429 E0000047 with Date and one X-Rate-Limit-Reset when a budget is spent or a fault is injected', async () => {
    const { instrument } = fresh({ rateLimits: { limits: { groups: 2 } } });
    await call('/api/v1/groups');
    const second = await call('/api/v1/groups');
    expect(second.res.headers.get('x-rate-limit-remaining')).toBe('0');
    const third = await call('/api/v1/groups');
    expect(third.res.status).toBe(429);
    expect(third.body).toMatchObject({
      errorCode: 'E0000047',
      errorSummary: 'API call exceeded rate limit due to too many requests.',
      errorCauses: [],
    });
    expect(third.res.headers.get('x-rate-limit-reset')).toMatch(/^\d+$/);
    expect(Date.parse(third.res.headers.get('date')!)).not.toBeNaN();
    expect(third.res.headers.get('x-rate-limit-limit')).toBe('2');
    // Another bucket is untouched.
    expect((await call('/api/v1/users?limit=1')).res.status).toBe(200);

    instrument.setFaults('okta', { rateLimitRate: 1 });
    const faulted = await call('/api/v1/users?limit=1');
    expect(faulted.res.status).toBe(429);
    expect(faulted.body).toMatchObject({ errorCode: 'E0000047' });
    expect(faulted.res.headers.get('x-rate-limit-reset')).toMatch(/^\d+$/);
    expect(faulted.res.headers.get('date')).toBeTruthy();
    expect(instrument.requests({ includeFaults: true }).at(-1)).toMatchObject({
      status: 429,
      fault: 'rate-limit',
    });
  });

  it('issues Bearer tokens for a client assertion JWT (client credentials, private_key_jwt)', async () => {
    const { store } = fresh();
    const { privateKey } = await generateKeyPair('RS256');
    const assertion = (clientId: string, aud = `${ORG}/oauth2/v1/token`) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
    const token = async (clientId: string, scope: string, aud?: string) =>
      call(
        '/oauth2/v1/token',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            scope,
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: await assertion(clientId, aud),
          }).toString(),
        },
        { Accept: 'application/json' },
      );

    // The seeded app has no registered key: iss/sub/aud/exp are checked, the signature is not.
    const ok = await token(OKTA_SANDBOX_CLIENT_ID, 'okta.groups.read');
    expect(ok.res.status).toBe(200);
    const issued = ok.body as { access_token: string; token_type: string; expires_in: number; scope: string };
    expect(issued).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'okta.groups.read' });
    const bearer = { Authorization: `Bearer ${issued.access_token}` };
    expect((await call('/api/v1/groups', {}, bearer)).res.status).toBe(200);
    const denied = await call('/api/v1/users', {}, bearer);
    expect(denied.res.status).toBe(403);
    expect(denied.res.headers.get('www-authenticate')).toContain('insufficient_scope');
    expect((await call('/api/v1/groups', {}, { Authorization: 'Bearer nope' })).res.status).toBe(401);

    expect((await token('0oaUNKNOWN', 'okta.groups.read')).body).toMatchObject({ error: 'invalid_client' });
    expect((await token(OKTA_SANDBOX_CLIENT_ID, 'okta.groups.read', 'https://elsewhere')).res.status).toBe(
      401,
    );
    const keyed = store.registerOAuthClient({
      publicKeys: [await exportJWK((await generateKeyPair('RS256')).publicKey)],
    });
    expect((await token(keyed.clientId, 'okta.users.read')).body).toMatchObject({ error: 'invalid_client' });
    expect((await token(OKTA_SANDBOX_CLIENT_ID, 'okta.logs.read')).body).toMatchObject({
      error: 'invalid_scope',
    });
  });

  it('answers unknown API paths with 404 E0000007', async () => {
    fresh();
    const { res, body } = await call('/api/v1/nothing/here');
    expect(res.status).toBe(404);
    expect(body).toMatchObject({ errorCode: 'E0000007' });
  });
});

describe('Okta store and seed', () => {
  it('maps the demo company: statuses, profile, manager ids, groups and Everyone', () => {
    const store = OktaStore.fromJSON(seeded);
    const people = company.people.filter((p) => p.home === 'okta');
    expect(store.userCount).toBe(people.length);
    const ana = store.findUserByLogin('ana.lopez@acme.test')!;
    const dana = store.findUserByLogin('dana.boss@acme.test')!;
    expect(ana.profile).toMatchObject({
      login: 'ana.lopez@acme.test',
      email: 'ana.lopez@acme.test',
      firstName: 'Ana',
      lastName: 'Lopez',
      employeeNumber: 'E000002',
      department: 'Sales',
      title: 'Account Executive',
      manager: 'dana.boss@acme.test',
      managerId: dana.id,
      countryCode: 'DE',
      city: 'Berlin',
      userType: 'Employee',
    });
    expect(store.findUserByLogin('sam.leaver@acme.test')?.status).toBe('DEPROVISIONED');
    expect(
      store
        .groupsOfUser(ana.id)
        .map((g) => g.profile.name)
        .sort(),
    ).toEqual(['EMEA', 'Everyone', 'Sales']);
    expect(store.memberCount(store.everyone()!.id)).toBe(people.length);
    for (const p of people.slice(0, 50)) {
      const u = store.findUserByLogin(p.login)!;
      expect(u.status).toBe(
        { active: 'ACTIVE', suspended: 'SUSPENDED', deprovisioned: 'DEPROVISIONED', staged: 'STAGED' }[
          p.status
        ],
      );
      expect(store.groupsOfUser(u.id).length).toBe(new Set(p.groups).size + 1);
    }
    expect(store.groups().find((g) => g.type === 'APP_GROUP')?.sourceId).toMatch(/^0oa\w{17}$/);
  });

  it('is deterministic, round-trips through JSON and keeps ids unique', () => {
    expect(seedOkta(generateCompany({ seed: 7, people: 400 })).toJSON()).toEqual(seeded);
    const store = OktaStore.fromJSON(JSON.parse(JSON.stringify(seeded)) as typeof seeded);
    expect(store.toJSON()).toEqual(seeded);
    const ids = [...store.users().map((u) => u.id), ...store.groups().map((g) => g.id)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^00[ug][0-9A-Za-z]{17}$/);
    // A created user continues the same id sequence after a round trip.
    const a = OktaStore.fromJSON(seeded).createUser({
      profile: { login: 'x@acme.test', email: 'x@acme.test', firstName: 'X', lastName: 'Y' },
      activate: true,
    });
    const b = OktaStore.fromJSON(seeded).createUser({
      profile: { login: 'x@acme.test', email: 'x@acme.test', firstName: 'X', lastName: 'Y' },
      activate: true,
    });
    expect(a.id).toBe(b.id);
  });
});
