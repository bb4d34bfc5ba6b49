import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { isAccordError } from '../../src/errors.js';
import type { Change, ChangeAction, ChangeKind } from '../../src/model/change.js';
import type { IdpSnapshot, SnapshotScope } from '../../src/model/snapshot.js';
import type { Policy } from '../../src/policy/policy.js';
import {
  MEMBERSHIP_BATCH,
  OneLoginProvider,
  oneloginFactory,
  type ClientTiming,
} from '../../src/providers/onelogin/index.js';
import type { ProgressEvent } from '../../src/providers/provider.js';
import { snapshotScope } from '../../src/providers/scope.js';
import { createSandbox, type Sandbox } from '@accord/sandbox';
import { loadDemoPolicy } from '../support/demo.js';
import { changeBuilder } from './change.js';

const server = setupServer();
const BASE = 'https://globex.onelogin.test';

let policy: Policy;
beforeAll(async () => {
  server.listen({ onUnhandledFrame: 'error' });
  policy = await loadDemoPolicy();
});
afterAll(() => server.close());

/** Retry waits are recorded, never slept: the emulator's 429 Reset is the rest of its hour. */
function fakeTiming(extra: ClientTiming = {}): ClientTiming & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  };
}

function fresh(options: { people?: number } = {}) {
  const sandbox = createSandbox({ people: options.people ?? 300 });
  server.resetHandlers(...sandbox.handlers);
  const timing = fakeTiming();
  const provider = new OneLoginProvider({ env: sandbox.env, timing });
  return { sandbox, provider, timing, store: sandbox.stores.onelogin };
}

const count = (sandbox: Sandbox, method: string, route: string) =>
  sandbox.instrument.count({ tenant: 'onelogin', method, route });
const TOKEN = '/auth/oauth2/v2/token';
const USERS = '/api/2/users';
const ROLES = '/api/2/roles';
const ROLE_USERS = '/api/2/roles/:id/users';

const scopeOf = (roles: string[]): SnapshotScope => ({
  oktaGroups: [],
  oneloginRoles: roles,
  includeDeprovisioned: true,
  salesforceFields: [],
});

const oneloginChange = changeBuilder(
  'onelogin',
  'c',
  (c, seq) => `onelogin.${c.kind}["${c.account.key}"]#${seq}`,
);
const change = (
  kind: ChangeKind,
  action: ChangeAction,
  account: Change['account'],
  extra: Partial<Change> = {},
) => oneloginChange({ kind, action, account, ...extra });
const grant = (key: string, role: string, id?: string) =>
  change('membership', 'grant', id ? { key, id } : { key }, { target: { name: role } });
const revoke = (key: string, role: string, id?: string) =>
  change('membership', 'revoke', id ? { key, id } : { key }, { target: { name: role } });

/** Users made straight in the store, outside every role. */
function extraUsers(store: Sandbox['stores']['onelogin'], n: number, prefix = 'extra') {
  return Array.from({ length: n }, (_, i) =>
    store.createUser({
      username: `${prefix}${i}@globex.test`,
      email: `${prefix}${i}@globex.test`,
      firstname: 'Extra',
      lastname: `User${i}`,
      status: 1,
    }),
  );
}

const roleMembers = (store: Sandbox['stores']['onelogin'], name: string) =>
  store.roleUsers(store.findRoleByName(name)!.id).map((u) => u.username);

describe('OneLogin snapshot (UC-01 read the directories)', () => {
  it('reads the demo account with token 1 + ceil(users/100) + 1 roles list + 1 page per referenced role', async () => {
    const { sandbox, provider, store } = fresh();
    const scope = snapshotScope(policy);
    expect(scope.oneloginRoles.length).toBeGreaterThan(1);
    const events: ProgressEvent[] = [];
    const snap = await provider.snapshot(scope, (e) => events.push(e));

    const users = store.userCount;
    const existing = scope.oneloginRoles.filter((name) => store.findRoleByName(name));
    expect(snap.accounts).toHaveLength(users);
    expect(count(sandbox, 'POST', TOKEN)).toBe(1);
    expect(count(sandbox, 'GET', USERS)).toBe(Math.ceil(users / 100));
    expect(count(sandbox, 'GET', ROLES)).toBe(1);
    expect(count(sandbox, 'GET', ROLE_USERS)).toBe(existing.length);
    expect(sandbox.instrument.count({ tenant: 'onelogin' })).toBe(
      1 + Math.ceil(users / 100) + 1 + existing.length,
    );
    // The user list asks for the largest page and only the fields accord reads.
    const first = sandbox.instrument.requests({ tenant: 'onelogin', route: USERS })[0]!.url;
    expect(first).toContain('limit=100');
    expect(first).toContain('fields=');
    expect(sandbox.instrument.requests({ tenant: 'onelogin', route: ROLES })[0]!.url).toContain('limit=650');

    expect(snap.groups.map((g) => g.name).sort()).toEqual([...existing].sort());
    expect(snap.missingGroups).toEqual(scope.oneloginRoles.filter((n) => !store.findRoleByName(n)));
    for (const group of snap.groups) {
      const expected = store.roleUsers(Number(group.id)).map((u) => String(u.id));
      expect(group.memberIds).toEqual(expected);
      expect(group.kind).toBe('managed');
    }
    expect(events.some((e) => e.phase === 'users' && e.done && e.records === users)).toBe(true);
    expect(events.filter((e) => e.phase === 'users' && !e.done)).toHaveLength(Math.ceil(users / 100));
  });

  it('maps users to neutral attributes, manager logins and status codes', async () => {
    const { provider, store } = fresh();
    const snap = await provider.snapshot(scopeOf([]));
    const byLogin = new Map(snap.accounts.map((a) => [a.login, a]));
    for (const u of store.users()) {
      const a = byLogin.get(u.username!)!;
      expect(a.id).toBe(String(u.id));
      expect(a.email).toBe(u.email);
      expect(a.rawStatus).toBe(`status=${u.status},state=${u.state}`);
      expect(a.attributes).toMatchObject({
        login: u.username,
        firstName: u.firstname,
        lastName: u.lastname,
        displayName: `${u.firstname} ${u.lastname}`,
        department: u.department,
        title: u.title,
        phone: u.phone,
        company: u.company,
        employeeNumber: u.custom_attributes.employeenumber,
        userType: u.custom_attributes.usertype,
        city: u.custom_attributes.city,
        country: u.custom_attributes.country,
        manager: u.manager_user_id === null ? null : store.user(u.manager_user_id)!.username,
      });
    }
    expect(store.users().some((u) => u.manager_user_id !== null)).toBe(true);

    // Every status/state pair, written into the store, reads back as the documented status.
    const [a, b, c, d, e, f, g] = store.users();
    const set = (u: typeof a, status: number, state = 1) => store.updateUser(u!.id, { status, state });
    set(a, 2, 3);
    set(b, 2, 1);
    set(c, 0);
    set(d, 7);
    set(e, 3);
    set(f, 4);
    set(g, 1);
    const again = await provider.snapshot(scopeOf([]));
    const status = (u: typeof a) => again.accounts.find((x) => x.id === String(u!.id))!.status;
    expect([a, b, c, d, e, f, g].map(status)).toEqual([
      'deprovisioned',
      'suspended',
      'staged',
      'provisioned',
      'locked',
      'active',
      'active',
    ]);
    // Leavers are left out when the scope doesn't ask for them.
    const noLeavers = await provider.snapshot({ ...scopeOf([]), includeDeprovisioned: false });
    expect(noLeavers.accounts.some((x) => x.status === 'deprovisioned')).toBe(false);
    expect(noLeavers.accounts).toHaveLength(
      again.accounts.filter((x) => x.status !== 'deprovisioned').length,
    );
  });

  it('finds a single referenced role with one name-filtered call, and reports missing roles', async () => {
    const { sandbox, provider } = fresh();
    const one = await provider.snapshot(scopeOf(['Globex Sales']));
    expect(count(sandbox, 'GET', ROLES)).toBe(1);
    expect(sandbox.instrument.requests({ route: ROLES })[0]!.url).toContain('name=Globex');
    expect(one.groups.map((g) => g.name)).toEqual(['Globex Sales']);

    sandbox.instrument.reset();
    const none = await provider.snapshot(scopeOf([]));
    expect(count(sandbox, 'GET', ROLES)).toBe(0);
    expect(count(sandbox, 'GET', ROLE_USERS)).toBe(0);
    expect(none.groups).toEqual([]);

    sandbox.instrument.reset();
    const some = await provider.snapshot(scopeOf(['Globex Sales', 'No Such Role', 'globex support']));
    expect(count(sandbox, 'GET', ROLES)).toBe(1);
    expect(count(sandbox, 'GET', ROLE_USERS)).toBe(2);
    expect(some.missingGroups).toEqual(['No Such Role']);
    expect(some.groups.map((g) => g.name).sort()).toEqual(['Globex Sales', 'Globex Support']);
  });

  it('follows After-Cursor through a bigger company: ceil(users/100) user pages, ceil(members/650) role pages', async () => {
    const { sandbox, provider, store } = fresh({ people: 3000 });
    // Push one role past a 650-member page.
    const employees = store.findRoleByName('Globex Employees')!;
    const added = extraUsers(store, 700 - store.roleUsers(employees.id).length);
    store.addRoleUsers(
      employees.id,
      added.map((u) => u.id),
    );
    const users = store.userCount;
    expect(users).toBeGreaterThan(600);
    const snap = await provider.snapshot(scopeOf(['Globex Employees', 'Globex Sales']));
    expect(snap.accounts).toHaveLength(users);
    expect(new Set(snap.accounts.map((a) => a.id)).size).toBe(users);
    expect(count(sandbox, 'GET', USERS)).toBe(Math.ceil(users / 100));
    const members = store.roleUsers(employees.id).length;
    expect(members).toBe(700);
    const sales = store.roleUsers(store.findRoleByName('Globex Sales')!.id).length;
    expect(count(sandbox, 'GET', ROLE_USERS)).toBe(
      Math.ceil(members / 650) + Math.max(1, Math.ceil(sales / 650)),
    );
    expect(snap.groups.find((g) => g.name === 'Globex Employees')!.memberIds).toHaveLength(700);
    expect(count(sandbox, 'POST', TOKEN)).toBe(1);
  });
});

describe('OneLogin apply: accounts (UC-04 joiners, UC-05 movers, UC-06 leavers, UC-11 deactivate)', () => {
  it('creates a user with neutral and custom fields, resolving the manager by username', async () => {
    const { sandbox, provider, store } = fresh();
    const manager = store.users()[0]!;
    const c = change(
      'account',
      'create',
      { key: 'new.hire@globex.test' },
      {
        after: {
          username: 'new.hire@globex.test',
          email: 'new.hire@globex.test',
          firstname: 'New',
          lastName: 'Hire',
          department: 'Sales',
          employeeNumber: 'G999999',
          manager: manager.username,
          status: 'active',
        },
      },
    );
    const [result] = await provider.apply([c]);
    const user = store.findUserByUsername('new.hire@globex.test')!;
    expect(result).toEqual({ changeId: c.id, status: 'applied', createdId: String(user.id) });
    expect(user).toMatchObject({
      email: 'new.hire@globex.test',
      firstname: 'New',
      lastname: 'Hire',
      department: 'Sales',
      manager_user_id: manager.id,
      status: 1,
      state: 1,
    });
    expect(user.custom_attributes.employeenumber).toBe('G999999');
    // One POST, plus the token and the manager's lookup (no snapshot has taught the provider yet).
    expect(count(sandbox, 'POST', USERS)).toBe(1);
    expect(count(sandbox, 'GET', USERS)).toBe(1);
  });

  it('reports a duplicate username as a failed change with one line, and never retries it', async () => {
    const { sandbox, provider, store } = fresh();
    const taken = store.users()[0]!.username!;
    const c = change(
      'account',
      'create',
      { key: taken },
      { after: { username: taken, email: 'x@globex.test' } },
    );
    const [result] = await provider.apply([c]);
    expect(result!.status).toBe('failed');
    expect(result!.message).toMatch(/422 Validation failed: Username has already been taken/);
    expect(result!.message).not.toContain('\n');
    expect(count(sandbox, 'POST', USERS)).toBe(1);
  });

  it('updates only the changed fields, by id or by username', async () => {
    const { sandbox, provider, store } = fresh();
    const [a, b] = store.users();
    const results = await provider.apply([
      change(
        'account',
        'update',
        { key: a!.username!, id: String(a!.id) },
        {
          after: { title: 'VP Sales', employeeNumber: 'G000001' },
        },
      ),
      change('account', 'update', { key: b!.username! }, { after: { department: 'Support', manager: null } }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(store.user(a!.id)).toMatchObject({ title: 'VP Sales', department: a!.department });
    expect(store.user(a!.id)!.custom_attributes.employeenumber).toBe('G000001');
    expect(store.user(b!.id)).toMatchObject({
      department: 'Support',
      manager_user_id: null,
      title: b!.title,
    });
    expect(count(sandbox, 'PUT', '/api/2/users/:id')).toBe(2);
    // Only b needed a lookup; a came with its id.
    expect(count(sandbox, 'GET', USERS)).toBe(1);
  });

  it('suspends, activates and deactivates (status 2 + state 3, out of every role); never deletes', async () => {
    const { sandbox, provider, store } = fresh();
    await provider.snapshot(scopeOf([]));
    const member = store.users().find((u) => u.role_ids.length >= 2 && u.status === 1)!;
    const other = store.users().find((u) => u.id !== member.id && u.status === 1)!;
    const key = (u: typeof member) => ({ key: u.username! });

    const [s] = await provider.apply([change('account', 'suspend', key(other))]);
    expect(s!.status).toBe('applied');
    expect(store.user(other.id)).toMatchObject({ status: 2, state: 1 });
    const [a] = await provider.apply([change('account', 'activate', key(other))]);
    expect(a!.status).toBe('applied');
    expect(store.user(other.id)).toMatchObject({ status: 1, state: 1 });

    sandbox.instrument.reset();
    const roles = member.role_ids.length;
    const [d] = await provider.apply([change('account', 'deactivate', key(member))]);
    expect(d).toMatchObject({ status: 'applied', detail: { removedFromRoles: member.role_ids } });
    expect(store.user(member.id)).toMatchObject({ status: 2, state: 3, role_ids: [] });
    for (const roleId of member.role_ids)
      expect(store.roleUsers(roleId).map((u) => u.id)).not.toContain(member.id);
    // The PUT answer lists the roles: one PUT, one DELETE per role, no lookups (the snapshot taught ids).
    expect(count(sandbox, 'PUT', '/api/2/users/:id')).toBe(1);
    expect(count(sandbox, 'DELETE', ROLE_USERS)).toBe(roles);
    expect(count(sandbox, 'GET', USERS)).toBe(0);
    expect(count(sandbox, 'DELETE', '/api/2/users/:id')).toBe(0);

    const snap = await provider.snapshot(scopeOf([]));
    expect(snap.accounts.find((x) => x.id === String(member.id))!.status).toBe('deprovisioned');
  });

  it('fails an unknown user or an unsupported action on its own change', async () => {
    const { provider } = fresh();
    const results = await provider.apply([
      change('account', 'suspend', { key: 'nobody@globex.test' }),
      change('account', 'freeze', { key: 'nobody@globex.test' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(results[0]!.message).toBe('onelogin: no user nobody@globex.test');
    expect(results[1]!.message).toMatch(/cannot freeze/);
  });
});

describe('OneLogin apply: roles and memberships (UC-12 mirrors, UC-13 managed groups)', () => {
  it('OneLogin role adds cost one call per role per batch: 50 grants to 2 roles = 2 POST calls', async () => {
    const { sandbox, provider, store } = fresh();
    const users = extraUsers(store, 50);
    // The snapshot before a plan teaches the provider every id, as in a real run.
    await provider.snapshot(scopeOf(['Globex Sales', 'Globex Support']));
    sandbox.instrument.reset();
    const batch = users.map((u, i) => grant(u.username!, i % 2 ? 'Globex Sales' : 'Globex Support'));
    const results = await provider.apply(batch);
    expect(results).toHaveLength(50);
    expect(results.every((r) => r.status === 'applied')).toBe(true);
    expect(results.map((r) => r.changeId)).toEqual(batch.map((c) => c.id));
    expect(count(sandbox, 'POST', ROLE_USERS)).toBe(2);
    expect(sandbox.instrument.count({ tenant: 'onelogin' })).toBe(2);
    for (const [i, u] of users.entries())
      expect(roleMembers(store, i % 2 ? 'Globex Sales' : 'Globex Support')).toContain(u.username);

    // And the revokes: one DELETE per role.
    sandbox.instrument.reset();
    const back = await provider.apply(
      users.map((u, i) => revoke(u.username!, i % 2 ? 'Globex Sales' : 'Globex Support')),
    );
    expect(back.every((r) => r.status === 'applied')).toBe(true);
    expect(count(sandbox, 'DELETE', ROLE_USERS)).toBe(2);
    for (const u of users) expect(store.user(u.id)!.role_ids).toEqual([]);
  });

  it('sends raw id arrays, and resolves unknown roles and users with one lookup each', async () => {
    const { sandbox, provider, store } = fresh();
    const [u] = extraUsers(store, 1);
    const bodies: unknown[] = [];
    server.use(
      http.post(`${BASE}/api/2/roles/:id/users`, async ({ request }) => {
        bodies.push(await request.clone().json());
        return undefined;
      }),
    );
    const [r] = await provider.apply([grant(u!.username!, 'Globex Sales')]);
    expect(r!.status).toBe('applied');
    expect(bodies).toEqual([[u!.id]]);
    expect(count(sandbox, 'GET', ROLES)).toBe(1);
    expect(count(sandbox, 'GET', USERS)).toBe(1);
    expect(roleMembers(store, 'Globex Sales')).toContain(u!.username);
  });

  it('finds the one bad user of a refused array by halving; everyone else is added', async () => {
    const { sandbox, provider, store } = fresh();
    const users = extraUsers(store, 8);
    await provider.snapshot(scopeOf(['Globex Sales']));
    sandbox.instrument.reset();
    const batch = users.map((u) => grant(u.username!, 'Globex Sales', String(u.id)));
    batch.splice(5, 0, grant('ghost@globex.test', 'Globex Sales', '999'));
    const results = await provider.apply(batch);
    const failed = results.filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.changeId)).toEqual([batch[5]!.id]);
    expect(failed[0]!.message).toMatch(/422 Validation failed: Users not found: 999/);
    for (const u of users) expect(roleMembers(store, 'Globex Sales')).toContain(u.username);
    // 9 ids: 1 refused call, then halves 5+4 (5 refused → 3+2 → 2 refused → 1+1): 7 calls in all.
    expect(count(sandbox, 'POST', ROLE_USERS)).toBe(7);
  });

  it('fails every change of a role that does not exist, with no membership call', async () => {
    const { sandbox, provider, store } = fresh();
    const [u] = extraUsers(store, 1);
    const results = await provider.apply([
      grant(u!.username!, 'No Such Role'),
      revoke(u!.username!, 'No Such Role'),
    ]);
    expect(results.map((r) => [r.status, r.message])).toEqual([
      ['failed', 'onelogin: no role No Such Role'],
      ['failed', 'onelogin: no role No Such Role'],
    ]);
    expect(count(sandbox, 'POST', ROLE_USERS) + count(sandbox, 'DELETE', ROLE_USERS)).toBe(0);
  });

  it('creates a missing role after looking its name up, and treats an existing one as done', async () => {
    const { sandbox, provider, store } = fresh();
    const create = (name: string) => change('group', 'create', { key: name }, { target: { name } });
    const [made] = await provider.apply([create('Globex Finance')]);
    const role = store.findRoleByName('Globex Finance')!;
    expect(made).toEqual({ changeId: expect.any(String), status: 'applied', createdId: String(role.id) });
    expect(count(sandbox, 'POST', ROLES)).toBe(1);
    expect(count(sandbox, 'GET', ROLES)).toBe(1);

    const [again] = await provider.apply([create('Globex Finance')]);
    expect(again).toMatchObject({
      status: 'applied',
      createdId: String(role.id),
      message: 'role already exists',
    });
    expect(count(sandbox, 'POST', ROLES)).toBe(1);
    expect(store.roles().filter((r) => r.name === 'Globex Finance')).toHaveLength(1);

    // A grant in the same batch as the role's creation lands in the new role.
    const [u] = extraUsers(store, 1);
    const results = await provider.apply([create('Globex Legal'), grant(u!.username!, 'Globex Legal')]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(roleMembers(store, 'Globex Legal')).toEqual([u!.username]);
  });

  it('takes up to MEMBERSHIP_BATCH membership changes per call and account changes one at a time', () => {
    const provider = new OneLoginProvider({ env: {} });
    expect(provider.maxBatch('membership', 'grant')).toBe(MEMBERSHIP_BATCH);
    expect(provider.maxBatch('membership', 'revoke')).toBe(1000);
    expect(provider.maxBatch('account', 'create')).toBe(1);
    expect(provider.maxBatch('group', 'create')).toBe(1);
  });
});

describe('OneLogin token (client credentials)', () => {
  it('fetches one token for a snapshot and the applies after it', async () => {
    const { sandbox, provider, store } = fresh();
    await provider.snapshot(snapshotScope(policy));
    const [u] = extraUsers(store, 1);
    await provider.apply([grant(u!.username!, 'Globex Sales')]);
    await provider.apply([change('account', 'update', { key: u!.username! }, { after: { title: 'Rep' } })]);
    expect(count(sandbox, 'POST', TOKEN)).toBe(1);
  });

  it('renews the token once on a 401 and carries on', async () => {
    const { sandbox, provider, store } = fresh();
    await provider.snapshot(scopeOf([]));
    for (const t of store.toJSON().tokens) store.revokeToken(t.access_token);
    const [u] = extraUsers(store, 1);
    const [r] = await provider.apply([
      change('account', 'suspend', { key: u!.username!, id: String(u!.id) }),
    ]);
    expect(r!.status).toBe('applied');
    expect(store.user(u!.id)!.status).toBe(2);
    expect(count(sandbox, 'POST', TOKEN)).toBe(2);
    // The logout (v1) meets the revoked token, the token is renewed, then logout and status land.
    expect(
      sandbox.instrument.requests({ tenant: 'onelogin', method: 'PUT' }).map((x) => `${x.status} ${x.route}`),
    ).toEqual(['401 /api/1/users/:id/logout', '200 /api/1/users/:id/logout', '200 /api/2/users/:id']);
    expect(store.logouts.get(u!.id)).toBe(1);
  });

  it('renews a token that is about to expire without waiting for a 401', async () => {
    const sandbox = createSandbox();
    server.resetHandlers(...sandbox.handlers);
    let now = Date.now();
    const provider = new OneLoginProvider({ env: sandbox.env, timing: fakeTiming({ now: () => now }) });
    await provider.snapshot(scopeOf([]));
    now += 36_000_000 - 30_000; // inside the renewal margin of the 10-hour token
    await provider.snapshot(scopeOf([]));
    expect(count(sandbox, 'POST', TOKEN)).toBe(2);
    expect(sandbox.instrument.requests({ tenant: 'onelogin' }).every((r) => r.status < 400)).toBe(true);
  });
});

describe('OneLogin under faults (429 bursts, 500s, resets): nothing lost, nothing doubled', () => {
  it('waits the X-RateLimit-Reset seconds of a 429 and reads the same snapshot', async () => {
    const clean = fresh();
    const expected = await clean.provider.snapshot(snapshotScope(policy));

    const { sandbox, provider, timing } = fresh();
    sandbox.instrument.setFaults('onelogin', { burstEvery: 3, burstLength: 2 }, 5);
    const snap = await provider.snapshot(snapshotScope(policy));
    const strip = (s: IdpSnapshot) => ({ ...s, fetchedAt: '' });
    expect(strip(snap)).toEqual(strip(expected));
    const limited = sandbox.instrument
      .requests({ tenant: 'onelogin' })
      .filter((r) => r.fault === 'rate-limit');
    expect(limited.length).toBeGreaterThan(0);
    // Every 429 wait is the Reset header in ms (the rest of the emulator's hour), not a guess.
    expect(timing.waits.length).toBe(limited.length);
    for (const w of timing.waits) {
      expect(w % 1000).toBe(0);
      expect(w).toBeGreaterThan(3_500_000);
    }
  });

  it('applies a batch through 500s and resets with exactly one effect per change', async () => {
    const { sandbox, store } = fresh();
    // Nearly half the calls fail here, so allow more attempts than the default 5.
    const provider = new OneLoginProvider({ env: sandbox.env, timing: fakeTiming({ maxAttempts: 12 }) });
    const users = extraUsers(store, 30);
    await provider.snapshot(scopeOf(['Globex Support']));
    sandbox.instrument.setFaults('onelogin', { serverErrorRate: 0.25, resetRate: 0.2, burstEvery: 7 }, 11);
    const creates = Array.from({ length: 6 }, (_, i) =>
      change(
        'account',
        'create',
        { key: `joiner${i}@globex.test` },
        {
          after: { username: `joiner${i}@globex.test`, email: `joiner${i}@globex.test`, lastname: 'Joiner' },
        },
      ),
    );
    const grants = users.map((u) => grant(u.username!, 'Globex Support'));
    const results = [
      ...(await provider.apply([
        change('group', 'create', { key: 'Faulty' }, { target: { name: 'Faulty' } }),
      ])),
      ...(await Promise.all(creates.map((c) => provider.apply([c])))).flat(),
      ...(await provider.apply(grants)),
    ];
    expect(results.filter((r) => r.status !== 'applied')).toEqual([]);
    const faults = sandbox.instrument.requests({ tenant: 'onelogin' }).filter((r) => r.fault);
    expect(new Set(faults.map((f) => f.fault))).toEqual(new Set(['server-error', 'reset', 'rate-limit']));
    for (let i = 0; i < 6; i++) expect(store.findUserByUsername(`joiner${i}@globex.test`)).toBeDefined();
    expect(store.users().filter((u) => u.username?.startsWith('joiner'))).toHaveLength(6);
    expect(store.roles().filter((r) => r.name === 'Faulty')).toHaveLength(1);
    expect(roleMembers(store, 'Globex Support')).toEqual(
      expect.arrayContaining(users.map((u) => u.username)),
    );
  });

  it('does not create a user twice when the answer to the POST is lost', async () => {
    const { provider, store } = fresh();
    let posts = 0;
    server.use(
      http.post(`${BASE}/api/2/users`, async ({ request }) => {
        posts++;
        if (posts > 1) return undefined;
        // The account creates the user, then the connection drops before the answer.
        store.createUser((await request.clone().json()) as Parameters<typeof store.createUser>[0]);
        return HttpResponse.error();
      }),
    );
    const c = change(
      'account',
      'create',
      { key: 'lost.answer@globex.test' },
      {
        after: { username: 'lost.answer@globex.test', email: 'lost.answer@globex.test' },
      },
    );
    const [r] = await provider.apply([c]);
    const user = store.findUserByUsername('lost.answer@globex.test')!;
    expect(r).toEqual({ changeId: c.id, status: 'applied', createdId: String(user.id) });
    expect(posts).toBe(1);
    expect(store.users().filter((u) => u.username === 'lost.answer@globex.test')).toHaveLength(1);
  });

  it('redacts the credentials a server echoes in a write failure (issue 15)', async () => {
    const { sandbox, provider } = fresh();
    const secret = sandbox.env.ONELOGIN_CLIENT_SECRET!;
    server.use(
      http.post(`${BASE}/api/2/users`, () =>
        HttpResponse.json({ message: `bad request from client with secret ${secret}` }, { status: 400 }),
      ),
    );
    const c = change(
      'account',
      'create',
      { key: 'echo@globex.test' },
      { after: { username: 'echo@globex.test' } },
    );
    const [r] = await provider.apply([c]);
    expect(r!.status).toBe('failed');
    expect(r!.message).toContain('bad request from client with secret');
    expect(r!.message).not.toContain(secret);
  });

  it('does not create a role twice when the answer to the POST is lost', async () => {
    const { provider, store } = fresh();
    let posts = 0;
    server.use(
      http.post(`${BASE}/api/2/roles`, () => {
        posts++;
        if (posts > 1) return undefined;
        store.createRole({ name: 'Lost Role' });
        return HttpResponse.error();
      }),
    );
    const [r] = await provider.apply([
      change('group', 'create', { key: 'Lost Role' }, { target: { name: 'Lost Role' } }),
    ]);
    expect(r).toMatchObject({ status: 'applied', createdId: String(store.findRoleByName('Lost Role')!.id) });
    expect(posts).toBe(1);
  });

  it('reports a call that keeps failing as failed, never as applied', async () => {
    const { sandbox, provider, store } = fresh();
    const [u] = extraUsers(store, 1);
    await provider.snapshot(scopeOf(['Globex Sales']));
    sandbox.instrument.setFaults('onelogin', { serverErrorRate: 1, methods: ['POST'] });
    const [r] = await provider.apply([grant(u!.username!, 'Globex Sales')]);
    expect(r!.status).toBe('failed');
    expect(r!.message).toMatch(/500 Internal Server Error/);
    expect(count(sandbox, 'POST', ROLE_USERS)).toBe(5);
    expect(store.user(u!.id)!.role_ids).toEqual([]);
  });
});

describe('OneLogin connection errors', () => {
  const SECRET = 'wrong-secret-do-not-print';

  async function failure(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected a failure');
  }

  it('names ONELOGIN_CLIENT_SECRET on bad credentials, without the secret', async () => {
    const sandbox = createSandbox();
    server.resetHandlers(...sandbox.handlers);
    const provider = new OneLoginProvider({
      env: { ...sandbox.env, ONELOGIN_CLIENT_SECRET: SECRET },
      timing: fakeTiming(),
    });
    const attempts = [
      () => provider.snapshot(scopeOf([])),
      () => provider.apply([grant('x', 'Globex Sales')]),
    ];
    for (const attempt of attempts) {
      const error = await failure(attempt());
      expect(isAccordError(error)).toBe(true);
      expect(error.message).toMatch(
        /^onelogin: authentication failed \(401\); check .*ONELOGIN_CLIENT_SECRET/,
      );
      expect(error.message).not.toContain('\n');
      expect(error.message).not.toContain(SECRET);
    }
    // Credentials are not retried: one token call per attempt, no API call.
    expect(count(sandbox, 'POST', TOKEN)).toBe(2);
    expect(sandbox.instrument.count({ tenant: 'onelogin' })).toBe(2);
  });

  it('names ONELOGIN_URL when the account cannot be reached', async () => {
    const sandbox = createSandbox();
    server.resetHandlers(
      ...sandbox.handlers,
      http.all('https://down.onelogin.test/*', () => HttpResponse.error()),
    );
    const timing = fakeTiming();
    const provider = new OneLoginProvider({
      env: { ...sandbox.env, ONELOGIN_URL: 'https://down.onelogin.test' },
      timing,
    });
    const error = await failure(provider.snapshot(scopeOf([])));
    expect(isAccordError(error)).toBe(true);
    expect(error.message).toMatch(
      /^onelogin: cannot reach https:\/\/down\.onelogin\.test .*; check ONELOGIN_URL$/,
    );
    expect(timing.waits).toHaveLength(4);
  });

  it('uses the variable names the policy gives, and refuses plain http off loopback', async () => {
    const sandbox = createSandbox();
    server.resetHandlers(...sandbox.handlers);
    const custom: Policy = {
      ...policy,
      platforms: {
        ...policy.platforms,
        onelogin: {
          connection: { urlEnv: 'GLOBEX_URL', clientIdEnv: 'GLOBEX_ID', clientSecretEnv: 'GLOBEX_SECRET' },
        },
      },
    };
    const env = {
      GLOBEX_URL: sandbox.env.ONELOGIN_URL,
      GLOBEX_ID: sandbox.env.ONELOGIN_CLIENT_ID,
      GLOBEX_SECRET: sandbox.env.ONELOGIN_CLIENT_SECRET,
    };
    const [provider] = oneloginFactory.create({ platforms: custom.platforms, env });
    expect(provider!.id).toBe('onelogin');
    const snap = (await provider!.snapshot(scopeOf(['Globex Sales']))) as IdpSnapshot;
    expect(snap.groups.map((g) => g.name)).toEqual(['Globex Sales']);

    const [insecure] = oneloginFactory.create({
      platforms: custom.platforms,
      env: { ...env, GLOBEX_URL: 'http://globex.example.com' },
    });
    const error = await failure(insecure!.snapshot(scopeOf([])));
    expect(error.message).toMatch(/^onelogin: GLOBEX_URL must use https/);
    const [missing] = oneloginFactory.create({
      platforms: custom.platforms,
      env: { GLOBEX_URL: env.GLOBEX_URL },
    });
    expect((await failure(missing!.snapshot(scopeOf([])))).message).toBe('onelogin: GLOBEX_ID is not set');

    const withoutOneLogin: Policy = { ...policy, platforms: { ...policy.platforms, onelogin: undefined } };
    expect(oneloginFactory.create({ platforms: withoutOneLogin.platforms, env })).toEqual([]);
  });
});
