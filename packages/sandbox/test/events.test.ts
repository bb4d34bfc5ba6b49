import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setupServer } from 'msw/node';
import { generateCompany } from '../src/company.js';
import { Instrument } from '../src/instrument.js';
import { OKTA_SANDBOX_TOKEN, OktaStore, oktaTenant, seedOkta } from '../src/okta/index.js';
import { OneLoginStore, oneloginTenant, seedOneLogin } from '../src/onelogin/index.js';

/**
 * The audit logs over plain fetch: Okta's System Log (polling and bounded requests, Link paging)
 * and OneLogin's v1 events (envelope, after_cursor), with the events the stores append for their
 * own mutations and the ones tests record through the tenant API.
 */
const ORG = 'http://127.0.0.1:4010';
const OL = 'https://globex.onelogin.test';
const company = generateCompany({ seed: 5, people: 40 });
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

const links = (header: string | null): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const m of (header ?? '').matchAll(/<([^>]+)>\s*;\s*rel="([^"]+)"/g)) out[m[2]!] = m[1]!;
  return out;
};

describe('Okta System Log', () => {
  const store = OktaStore.fromJSON(seedOkta(company).toJSON());
  beforeAll(() => server.resetHandlers(...oktaTenant(store, ORG, new Instrument(1)).handlers));
  const get = async (url: string) => {
    const res = await fetch(url.startsWith('http') ? url : `${ORG}${url}`, {
      headers: { Authorization: `SSWS ${OKTA_SANDBOX_TOKEN}`, Accept: 'application/json' },
    });
    return { res, body: (await res.json()) as { uuid: string; eventType: string; published: string }[] };
  };

  it('appends events for mutations and the tenant API, and a polling request always links next', async () => {
    const user = store.createUser({
      profile: {
        login: 'new.hire@acme.test',
        email: 'new.hire@acme.test',
        firstName: 'New',
        lastName: 'Hire',
      },
      activate: true,
      password: true,
    });
    store.recordSignIn(user.profile.login, { success: false });
    store.grantAdminRole(user.profile.login);
    const since = '2000-01-01T00:00:00.000Z';
    const first = await get(`/api/v1/logs?since=${since}&limit=2`);
    expect(first.res.status).toBe(200);
    expect(first.body.map((e) => e.eventType)).toEqual(['user.lifecycle.create', 'user.session.start']);
    const next = links(first.res.headers.get('link')).next!;
    expect(next).toContain('after=');
    const second = await get(next);
    expect(second.body.map((e) => e.eventType)).toEqual(['user.account.privilege.grant']);
    // The end of the log: an empty page, and still a next link to poll.
    const third = await get(links(second.res.headers.get('link')).next!);
    expect(third.body).toEqual([]);
    const tail = links(third.res.headers.get('link')).next!;
    store.recordMfaBypass(user.profile.login);
    expect((await get(tail)).body.map((e) => e.eventType)).toEqual(['user.mfa.attempt_bypass']);
  });

  it('a bounded request (until) links next only while more match; limit caps at 1000', async () => {
    const until = new Date(Date.now() + 60_000).toISOString();
    const page = await get(`/api/v1/logs?since=2000-01-01T00:00:00Z&until=${until}&limit=5000`);
    expect(page.body.length).toBe(store.log.size);
    expect(links(page.res.headers.get('link')).next).toBeUndefined();
    expect((await get('/api/v1/logs?filter=eventType%20eq%20%22x%22')).res.status).toBe(400);
  });

  it('persists the log with the store', () => {
    const again = OktaStore.fromJSON(store.toJSON());
    expect(again.log.all()).toEqual(store.log.all());
    const next = again.recordSignIn(again.users()[0]!.profile.login);
    expect(store.log.all().map((e) => e.uuid)).not.toContain(next.uuid);
  });
});

describe('OneLogin events (v1)', () => {
  const store = OneLoginStore.fromJSON(seedOneLogin(company).toJSON());
  let token = '';
  beforeAll(async () => {
    server.resetHandlers(...oneloginTenant(store, OL, new Instrument(2)).handlers);
    const res = await fetch(`${OL}/auth/oauth2/v2/token`, {
      method: 'POST',
      headers: {
        authorization: `client_id:${store.clientId}, client_secret:${store.clientSecret}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  const get = async (path: string) => {
    const res = await fetch(`${OL}${path}`, { headers: { authorization: `bearer ${token}` } });
    return (await res.json()) as {
      pagination: { after_cursor: string | null; next_link: string | null };
      data: { id: number; event_type_id: number; user_id: number }[];
    };
  };

  it('serves the envelope, pages ascending by after_cursor, and lists the event types', async () => {
    const username = store.users()[0]!.username!;
    for (let i = 0; i < 60; i++) store.recordLogin(username, { success: i % 2 === 0 });
    store.grantPrivilege(username);
    const first = await get('/api/1/events?since=2000-01-01T00:00:00Z&sort=%2Bid&limit=500');
    expect(first.data).toHaveLength(50);
    expect(first.data.slice(0, 2).map((e) => e.event_type_id)).toEqual([5, 6]);
    expect(first.pagination.next_link).toContain('after_cursor=');
    const second = await get(
      `/api/1/events?after_cursor=${encodeURIComponent(first.pagination.after_cursor!)}`,
    );
    expect(second.data.map((e) => e.event_type_id)).toEqual([
      ...[...Array(10).keys()].map((i): number => (i % 2 ? 6 : 5)),
      400,
    ]);
    expect(second.pagination.after_cursor).toBeNull();
    expect(second.data[0]!.id).toBe(first.data.at(-1)!.id + 1);
    const types = (await (
      await fetch(`${OL}/api/1/events/types`, { headers: { authorization: `bearer ${token}` } })
    ).json()) as {
      data: { id: number; name: string }[];
    };
    expect(types.data).toEqual(
      expect.arrayContaining([{ id: 5, name: 'USER_LOGGED_INTO_ONELOGIN', description: expect.any(String) }]),
    );
  });

  it('appends events for role membership changes, and persists them', () => {
    const user = store.users()[1]!;
    const role = store.roles().find((r) => !user.role_ids.includes(r.id))!;
    const before = store.events.all().length;
    store.addRoleUsers(role.id, [user.id]);
    store.removeRoleUsers(role.id, [user.id]);
    expect(
      store.events
        .all()
        .slice(before)
        .map((e) => [e.event_type_id, e.role_id, e.user_id]),
    ).toEqual([
      [72, role.id, user.id],
      [73, role.id, user.id],
    ]);
    expect(OneLoginStore.fromJSON(store.toJSON()).events.all()).toEqual(store.events.all());
  });
});
