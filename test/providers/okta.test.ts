import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { Change } from '../../src/model/change.js';
import type { SnapshotScope } from '../../src/model/snapshot.js';
import type { ProgressEvent } from '../../src/providers/provider.js';
import {
  OktaProvider,
  readOktaConnection,
  type OktaProviderOptions,
} from '../../src/providers/okta/index.js';
import { createSandbox, type Sandbox } from '@accord/sandbox';
import { changeBuilder } from './change.js';
import okta from '@okta/okta-sdk-nodejs';
import { leanUser, toIdpAccount, type OktaUserLike } from '../../src/providers/okta/map-user.js';
import { graceStart } from '../../src/providers/okta/factors.js';

/** The Okta provider through the real SDK against the sandbox's emulated org (msw). */

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

interface Retry {
  bucket: string;
  delayMs: number;
  reason: string;
}

let sandbox: Sandbox;
let retries: Retry[];

function fresh(options: { people?: number } = {}): Sandbox {
  sandbox = createSandbox(options);
  server.resetHandlers(...sandbox.handlers);
  retries = [];
  return sandbox;
}

/** Retry and rate-limit waits are recorded, not slept: the fault tests stay fast. */
function provider(
  options: OktaProviderOptions = {},
  env: Record<string, string> = sandbox.env,
): OktaProvider {
  return new OktaProvider(readOktaConnection(undefined, env), {
    sleep: async () => undefined,
    onRetry: (info) => retries.push(info),
    ...options,
  });
}

const store = () => sandbox.stores.okta;
const count = (method: string, route: string) => sandbox.instrument.count({ tenant: 'okta', method, route });
const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));

/** The groups the demo policy references, and one that doesn't exist. */
const POLICY_GROUPS = [
  'Sales',
  'Sales Managers',
  'Support',
  'Salesforce Admins',
  'Service Accounts',
  'Contractors',
  'EMEA',
  'Globex Sales',
  'Globex Support',
];
const scope = (over: Partial<SnapshotScope> = {}): SnapshotScope => ({
  oktaGroups: [...POLICY_GROUPS, 'No Such Group'],
  oneloginRoles: [],
  includeDeprovisioned: true,
  salesforceFields: [],
  ...over,
});

const change = changeBuilder(
  'okta',
  'change-',
  (c) => `okta.user["${c.account.key}"]${c.target ? `.group["${c.target.name}"]` : ''}`,
);

const newPerson = (login: string, extra: Record<string, unknown> = {}) => ({
  profile: { login, email: login, firstName: 'New', lastName: login.split('@')[0]!, ...extra },
});

const userByLogin = (login: string) => store().findUserByLogin(login)!;
const groupByName = (name: string) => store().findGroupByName(name)!;

describe('UC-23 Okta snapshot of the demo org', () => {
  beforeEach(() => {
    fresh();
  });

  it('reads every user (DEPROVISIONED too), the referenced groups with their members, and names the missing group', async () => {
    const events: ProgressEvent[] = [];
    const snap = await provider().snapshot(scope(), (e) => events.push(e));

    const all = store().users();
    const deprovisioned = all.filter((u) => u.status === 'DEPROVISIONED');
    expect(deprovisioned.length).toBeGreaterThan(0);
    expect(snap.accounts.map((a) => a.id).sort()).toEqual(all.map((u) => u.id).sort());

    const leaver = snap.accounts.find((a) => a.login === 'sam.leaver@acme.test')!;
    expect(leaver).toMatchObject({ status: 'deprovisioned', rawStatus: 'DEPROVISIONED' });

    expect(snap.groups.map((g) => g.name).sort()).toEqual([...POLICY_GROUPS].sort());
    for (const g of snap.groups) {
      expect(g.memberIds.sort()).toEqual([...store().memberIds(groupByName(g.name).id)].sort());
      expect(g.kind).toBe('managed');
    }
    expect(snap.missingGroups).toEqual(['No Such Group']);

    // The exact call count: each list at its largest page size, no per-object GETs.
    const live = all.length - deprovisioned.length;
    const memberPages = POLICY_GROUPS.reduce(
      (n, name) => n + pages(store().memberCount(groupByName(name).id), 1000),
      0,
    );
    expect(count('GET', '/api/v1/users')).toBe(pages(live, 200) + pages(deprovisioned.length, 200));
    expect(count('GET', '/api/v1/groups')).toBe(1);
    expect(count('GET', '/api/v1/groups/:groupId/users')).toBe(memberPages);
    expect(count('GET', '/api/v1/users/:userId')).toBe(0);
    expect(sandbox.instrument.count({ tenant: 'okta' })).toBe(
      pages(live, 200) + pages(deprovisioned.length, 200) + 1 + memberPages,
    );
    expect(sandbox.instrument.requests({ route: '/api/v1/users' }).map((r) => r.url)).toEqual(
      expect.arrayContaining([
        '/api/v1/users?limit=200',
        `/api/v1/users?search=${encodeURIComponent('status eq "DEPROVISIONED"')}&limit=200`,
      ]),
    );

    // One progress event per page, then one per list when it is done.
    const usersEvents = events.filter((e) => e.phase === 'users');
    expect(usersEvents.filter((e) => !e.done)).toHaveLength(pages(live, 200));
    expect(usersEvents.at(-1)).toEqual({
      platform: 'okta',
      phase: 'users',
      pages: 2,
      records: live,
      done: true,
    });
  });

  it('maps the profile to neutral attributes and statuses', async () => {
    const dana = userByLogin('dana.boss@acme.test');
    const report = store()
      .users()
      .find((u) => u.profile.managerId === dana.id)!;
    store().updateUser(report.id, {
      profile: { division: 'Americas', costCenter: 'CC-7', manager: 'Dana B.' },
    });
    const locked = store()
      .users()
      .find((u) => u.status === 'ACTIVE' && u.id !== report.id)!;
    store().setStatus(locked.id, 'LOCKED_OUT');
    const expired = store()
      .users()
      .find((u) => u.status === 'ACTIVE' && u.id !== report.id)!;
    store().setStatus(expired.id, 'PASSWORD_EXPIRED');
    const provisioned = store()
      .users()
      .find((u) => u.status === 'ACTIVE' && u.id !== report.id)!;
    store().setStatus(provisioned.id, 'PROVISIONED');

    const snap = await provider().snapshot(scope({ oktaGroups: [] }));
    const account = snap.accounts.find((a) => a.id === report.id)!;
    expect(account).toMatchObject({
      login: report.profile.login,
      email: report.profile.email,
      status: 'active',
    });
    expect(account.attributes).toMatchObject({
      login: report.profile.login,
      firstName: report.profile.firstName,
      lastName: report.profile.lastName,
      employeeNumber: report.profile.employeeNumber,
      department: report.profile.department,
      title: report.profile.title,
      division: 'Americas',
      // managerId wins over the free-text manager field, and resolves without a call.
      manager: 'dana.boss@acme.test',
      phone: report.profile.mobilePhone,
      city: report.profile.city,
      country: report.profile.countryCode,
      userType: report.profile.userType,
      costCenter: 'CC-7',
      displayName: null,
    });
    const status = (id: string) => snap.accounts.find((a) => a.id === id)!;
    expect(status(locked.id)).toMatchObject({ status: 'locked', rawStatus: 'LOCKED_OUT' });
    expect(status(expired.id)).toMatchObject({ status: 'active', rawStatus: 'PASSWORD_EXPIRED' });
    expect(status(provisioned.id)).toMatchObject({ status: 'provisioned', rawStatus: 'PROVISIONED' });
    const suspended = store()
      .users()
      .find((u) => u.status === 'SUSPENDED');
    if (suspended) expect(status(suspended.id).status).toBe('suspended');
    expect(count('GET', '/api/v1/groups')).toBe(0);
  });

  it('keeps each user lean as its page arrives, mapped exactly as the SDK User it came from', async () => {
    const client = new okta.Client({
      orgUrl: sandbox.env.OKTA_ORG_URL!,
      token: sandbox.env.OKTA_API_TOKEN!,
      cacheMiddleware: null,
    });
    const users: OktaUserLike[] = [];
    for await (const u of await client.userApi.listUsers({ limit: 200 })) if (u) users.push(u);
    expect(users.length).toBeGreaterThan(10);
    const loginById = new Map(users.map((u) => [u.id!, String(u.profile?.login)]));
    for (const user of users) {
      const lean = leanUser(user);
      // Only what the mapping, the MFA grace and the snapshot cache read; no links or credentials.
      expect(
        Object.keys(lean).every((k) =>
          ['id', 'status', 'lastUpdated', 'activated', 'created', 'profile'].includes(k),
        ),
      ).toBe(true);
      expect(toIdpAccount(lean, loginById)).toEqual(toIdpAccount(user, loginById));
      expect(graceStart(lean)).toBe(graceStart(user));
    }
  });

  it('leaves DEPROVISIONED users out, with one list fewer, when the scope does not ask for them', async () => {
    const snap = await provider().snapshot(
      scope({ includeDeprovisioned: false, oktaGroups: ['Everyone', 'AD Domain Users'] }),
    );
    expect(snap.accounts.some((a) => a.status === 'deprovisioned')).toBe(false);
    const live = store()
      .users()
      .filter((u) => u.status !== 'DEPROVISIONED').length;
    expect(count('GET', '/api/v1/users')).toBe(pages(live, 200));
    expect(snap.groups.map((g) => [g.name, g.kind])).toEqual([
      ['Everyone', 'builtin'],
      ['AD Domain Users', 'app'],
    ]);
  });

  it('feeds X-Rate-Limit-* headers into one budget per endpoint family', async () => {
    const okta = provider();
    await okta.snapshot(scope());
    const readings = okta.rateReadings();
    expect(Object.keys(readings).sort()).toEqual(['group-members', 'groups', 'users']);
    expect(readings.users).toMatchObject({ limit: 600 });
    expect(readings.groups).toMatchObject({ limit: 500 });
    expect(readings['group-members']).toMatchObject({ limit: 1000 });
  });
});

describe('UC-23 Okta snapshot of a larger company: paging', () => {
  it('costs ceil(records / page size) calls per list', async () => {
    fresh({ people: 1000 });
    const snap = await provider().snapshot(scope({ oktaGroups: ['Everyone', 'Sales', 'Engineering'] }));
    const all = store().users();
    const deprovisioned = all.filter((u) => u.status === 'DEPROVISIONED').length;
    const live = all.length - deprovisioned;
    expect(live).toBeGreaterThan(800);
    expect(snap.accounts).toHaveLength(all.length);
    const usersCalls = pages(live, 200) + pages(deprovisioned, 200);
    expect(usersCalls).toBeGreaterThanOrEqual(6);
    expect(count('GET', '/api/v1/users')).toBe(usersCalls);
    const memberCalls = ['Everyone', 'Sales', 'Engineering'].reduce(
      (n, g) => n + pages(store().memberCount(groupByName(g).id), 1000),
      0,
    );
    expect(count('GET', '/api/v1/groups/:groupId/users')).toBe(memberCalls);
    expect(sandbox.instrument.count({ tenant: 'okta' })).toBe(usersCalls + 1 + memberCalls);
  });

  it('pages group members 1000 at a time', async () => {
    fresh({ people: 1000 });
    const big = store().createGroup({ name: 'Big Group' });
    const ids = store()
      .users()
      .slice(0, 1001)
      .map((u) => u.id);
    // The company has fewer than 1001 people; staged ones fill up the group past one page.
    for (let i = ids.length; i < 1001; i++) {
      ids.push(
        store().createUser({ profile: newPerson(`filler${i}@acme.test`).profile, activate: false }).id,
      );
    }
    for (const id of ids) store().addMember(big.id, id);
    const snap = await provider().snapshot(scope({ oktaGroups: ['Big Group'] }));
    expect(snap.groups[0]!.memberIds).toHaveLength(1001);
    expect(count('GET', '/api/v1/groups/:groupId/users')).toBe(2);
  });
});

describe('UC-10 UC-03 UC-06 UC-12 Okta operations against the sandbox', () => {
  beforeEach(() => {
    fresh();
  });

  it('creates users staged or activated, and verifies nothing else was sent', async () => {
    const okta = provider();
    const staged = change({
      kind: 'account',
      action: 'create',
      account: { key: 'new.staged@acme.test' },
      after: { ...newPerson('new.staged@acme.test', { department: 'Sales' }), activate: false },
    });
    const activated = change({
      kind: 'account',
      action: 'create',
      account: { key: 'new.active@acme.test' },
      after: { ...newPerson('new.active@acme.test'), activate: true },
    });
    const results = await okta.apply([staged, activated]);
    const a = userByLogin('new.staged@acme.test');
    const b = userByLogin('new.active@acme.test');
    expect(results).toEqual([
      { changeId: staged.id, status: 'applied', createdId: a.id, detail: { status: 'STAGED' } },
      { changeId: activated.id, status: 'applied', createdId: b.id, detail: { status: 'PROVISIONED' } },
    ]);
    expect(a).toMatchObject({ status: 'STAGED', profile: { department: 'Sales', firstName: 'New' } });
    expect(b.status).toBe('PROVISIONED');
    expect(count('POST', '/api/v1/users')).toBe(2);
    expect(sandbox.instrument.count({ tenant: 'okta' })).toBe(2);
  });

  it('updates only the given profile attributes (partial update)', async () => {
    const ana = userByLogin('ana.lopez@acme.test');
    const before = { ...ana.profile };
    const results = await provider().apply([
      change({
        kind: 'account',
        action: 'update',
        account: { key: ana.profile.login, id: ana.id },
        after: {
          profile: { department: 'Finance', title: 'Controller', costCenter: 'CC-9', mobilePhone: null },
        },
      }),
    ]);
    expect(results[0]).toMatchObject({ status: 'applied' });
    expect(userByLogin('ana.lopez@acme.test').profile).toEqual({
      ...before,
      department: 'Finance',
      title: 'Controller',
      costCenter: 'CC-9',
      mobilePhone: null,
    });
    expect(count('POST', '/api/v1/users/:userId')).toBe(1);
    expect(count('PUT', '/api/v1/users/:userId')).toBe(0);
  });

  it('suspends, unsuspends, deactivates and reactivates (never deletes)', async () => {
    const okta = provider();
    const ana = userByLogin('ana.lopez@acme.test');
    const account = { key: ana.profile.login };
    const step = async (action: Change['action'], before: unknown) => {
      const [result] = await okta.apply([change({ kind: 'account', action, account, before })]);
      expect(result).toMatchObject({ status: 'applied' });
      return userByLogin(ana.profile.login).status;
    };
    expect(await step('suspend', { status: 'active' })).toBe('SUSPENDED');
    expect(await step('activate', { status: 'suspended' })).toBe('ACTIVE');
    expect(await step('deactivate', { status: 'active' })).toBe('DEPROVISIONED');
    expect(await step('activate', { status: 'deprovisioned' })).toBe('ACTIVE');
    const locked = store().setStatus(ana.id, 'LOCKED_OUT');
    expect(await step('activate', { status: 'locked', rawStatus: locked.status })).toBe('ACTIVE');

    expect(count('POST', '/api/v1/users/:userId/lifecycle/suspend')).toBe(1);
    expect(count('POST', '/api/v1/users/:userId/lifecycle/unsuspend')).toBe(1);
    expect(count('POST', '/api/v1/users/:userId/lifecycle/deactivate')).toBe(1);
    expect(count('POST', '/api/v1/users/:userId/lifecycle/activate')).toBe(1);
    expect(count('POST', '/api/v1/users/:userId/lifecycle/unlock')).toBe(1);
    expect(count('DELETE', '/api/v1/users/:userId')).toBe(0);
    // The user was looked up once by login (no snapshot, no id on the change); the status came from `before`.
    expect(count('GET', '/api/v1/users')).toBe(1);
    expect(count('GET', '/api/v1/users/:userId')).toBe(0);
  });

  it('activates a STAGED user, reactivates a PROVISIONED one, reading the status live only when before cannot tell', async () => {
    const okta = provider();
    const staged = store().createUser({ profile: newPerson('s1@acme.test').profile, activate: false });
    const provisioned = store().createUser({ profile: newPerson('p1@acme.test').profile, activate: true });
    expect(provisioned.status).toBe('PROVISIONED');
    const results = await okta.apply([
      change({
        kind: 'account',
        action: 'activate',
        account: { key: 's1@acme.test', id: staged.id },
        before: { status: 'staged' },
      }),
      change({
        kind: 'account',
        action: 'activate',
        account: { key: 'p1@acme.test', id: provisioned.id },
        before: { status: 'staged' },
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(count('GET', '/api/v1/users/:userId')).toBe(2);
    expect(count('POST', '/api/v1/users/:userId/lifecycle/activate')).toBe(1);
    expect(count('POST', '/api/v1/users/:userId/lifecycle/reactivate')).toBe(1);
    expect(userByLogin('s1@acme.test').status).toBe('PROVISIONED');
  });

  it('grants and revokes group membership, and creates a missing managed group', async () => {
    const okta = provider();
    const ana = userByLogin('ana.lopez@acme.test');
    const finance = groupByName('Finance');
    expect(store().isMember(finance.id, ana.id)).toBe(false);
    const sales = groupByName('Sales');
    expect(store().isMember(sales.id, ana.id)).toBe(true);
    const results = await okta.apply([
      change({
        kind: 'membership',
        action: 'grant',
        account: { key: ana.profile.login },
        target: { name: 'Finance' },
      }),
      change({
        kind: 'membership',
        action: 'revoke',
        account: { key: ana.profile.login, id: ana.id },
        target: { name: 'Sales', id: sales.id },
      }),
      change({
        kind: 'group',
        action: 'create',
        account: { key: '' },
        target: { name: 'Partners' },
        after: { name: 'Partners', description: 'Partner users' },
      }),
    ]);
    const partners = groupByName('Partners');
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expect(results[2]!.createdId).toBe(partners.id);
    expect(partners).toMatchObject({ type: 'OKTA_GROUP', profile: { description: 'Partner users' } });
    expect(store().isMember(finance.id, ana.id)).toBe(true);
    expect(store().isMember(sales.id, ana.id)).toBe(false);
    expect(count('PUT', '/api/v1/groups/:groupId/users/:userId')).toBe(1);
    expect(count('DELETE', '/api/v1/groups/:groupId/users/:userId')).toBe(1);
    expect(count('POST', '/api/v1/groups')).toBe(1);
  });

  it('after a snapshot, costs exactly one call per change (ids come from the snapshot)', async () => {
    const okta = provider();
    await okta.snapshot(scope());
    sandbox.instrument.reset();
    const logins = store()
      .users()
      .filter((u) => u.status === 'ACTIVE')
      .slice(0, 6)
      .map((u) => u.profile.login);
    const batch = [
      ...logins.map((key) =>
        change({ kind: 'membership', action: 'grant', account: { key }, target: { name: 'Contractors' } }),
      ),
      change({ kind: 'account', action: 'suspend', account: { key: logins[0]! } }),
      change({
        kind: 'account',
        action: 'update',
        account: { key: logins[1]! },
        after: { profile: { title: 'Lead' } },
      }),
      // The snapshot found no such group: created without a look-up first.
      change({ kind: 'group', action: 'create', account: { key: '' }, target: { name: 'No Such Group' } }),
      // The snapshot found this one: nothing to send.
      change({ kind: 'group', action: 'create', account: { key: '' }, target: { name: 'Sales' } }),
    ];
    const results = await okta.apply(batch);
    expect(results.map((r) => r.status)).toEqual(batch.map(() => 'applied'));
    expect(results.at(-1)).toMatchObject({
      createdId: groupByName('Sales').id,
      message: 'group exists already',
    });
    // One call per change that sends anything (the existing group sends nothing), plus the
    // revocation of the suspended user's sessions (UC-11).
    expect(sandbox.instrument.count({ tenant: 'okta' })).toBe(batch.length - 1 + 1);
    expect(sandbox.instrument.count({ tenant: 'okta', method: 'GET' })).toBe(0);
    expect(
      sandbox.instrument.count({ tenant: 'okta', method: 'DELETE', route: '/api/v1/users/:userId/sessions' }),
    ).toBe(1);
    expect(store().sessionRevocations.get(userByLogin(logins[0]!).id)).toBe(1);
    const contractors = groupByName('Contractors');
    for (const login of logins) expect(store().isMember(contractors.id, userByLogin(login).id)).toBe(true);
    expect(okta.maxBatch('membership', 'grant')).toBe(1);
  });

  it('isolates failures: a refused change fails alone with a one-line message, the rest of the batch applies', async () => {
    const okta = provider();
    const staged = store().createUser({
      profile: newPerson('staged.one@acme.test').profile,
      activate: false,
    });
    const ana = userByLogin('ana.lopez@acme.test');
    const batch = [
      change({
        kind: 'account',
        action: 'suspend',
        account: { key: staged.profile.login },
        before: { rawStatus: 'STAGED' },
      }),
      change({
        kind: 'account',
        action: 'create',
        account: { key: 'ok@acme.test' },
        after: { ...newPerson('ok@acme.test'), activate: false },
      }),
      change({
        kind: 'account',
        action: 'create',
        account: { key: 'ana.lopez@acme.test' },
        after: newPerson('ana.lopez@acme.test'),
      }),
      change({
        kind: 'membership',
        action: 'grant',
        account: { key: ana.profile.login },
        target: { name: 'AD Domain Users' },
      }),
      change({
        kind: 'membership',
        action: 'grant',
        account: { key: 'nobody@acme.test' },
        target: { name: 'Finance' },
      }),
      change({ kind: 'account', action: 'freeze', account: { key: ana.profile.login } }),
      change({
        kind: 'membership',
        action: 'grant',
        account: { key: ana.profile.login },
        target: { name: 'Finance' },
      }),
    ];
    const results = await okta.apply(batch);
    expect(results.map((r) => r.changeId)).toEqual(batch.map((c) => c.id));
    expect(results.map((r) => r.status)).toEqual([
      'failed',
      'applied',
      'failed',
      'failed',
      'failed',
      'failed',
      'applied',
    ]);
    expect(results[0]!.message).toBe(
      'Okta 400 E0000001 Api validation failed: status (Cannot suspend a user whose status is STAGED)',
    );
    expect(results[2]!.message).toMatch(
      /^Okta 400 E0000001 Api validation failed: login \(login: An object with this field already exists/,
    );
    expect(results[3]!.message).toMatch(/AD Domain Users.*APP_GROUP/);
    expect(results[4]!.message).toBe('no Okta user with login nobody@acme.test');
    for (const r of results) if (r.message) expect(r.message).not.toMatch(/\n/);
    expect(userByLogin('staged.one@acme.test').status).toBe('STAGED');
    expect(
      store()
        .users()
        .filter((u) => u.profile.login === 'ana.lopez@acme.test'),
    ).toHaveLength(1);
    expect(store().isMember(groupByName('Finance').id, ana.id)).toBe(true);
    expect(store().isMember(groupByName('AD Domain Users').id, ana.id)).toBe(false);
  });

  it('skips a change whose dependency in the same batch failed, and waits for one that succeeds', async () => {
    const create = change({
      kind: 'account',
      action: 'create',
      account: { key: 'dep@acme.test' },
      after: newPerson('dep@acme.test'),
    });
    const grant = change({
      kind: 'membership',
      action: 'grant',
      account: { key: 'dep@acme.test' },
      target: { name: 'Finance' },
      dependsOn: [create.id],
    });
    const badCreate = change({
      kind: 'account',
      action: 'create',
      account: { key: 'bad' },
      after: { profile: { login: 'bad' } },
    });
    const blocked = change({
      kind: 'membership',
      action: 'grant',
      account: { key: 'bad' },
      target: { name: 'Finance' },
      dependsOn: [badCreate.id],
    });
    const results = await provider().apply([grant, create, blocked, badCreate]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'skipped', 'failed']);
    expect(store().isMember(groupByName('Finance').id, userByLogin('dep@acme.test').id)).toBe(true);
  });

  it('fails changes caught in a dependency cycle and skips everything once apply is aborted, sending nothing', async () => {
    const a = change({ kind: 'account', action: 'suspend', account: { key: 'ana.lopez@acme.test' } });
    const b = change({ kind: 'account', action: 'suspend', account: { key: 'dana.boss@acme.test' } });
    a.dependsOn = [b.id];
    b.dependsOn = [a.id];
    const results = await provider().apply([a, b]);
    expect(results.map((r) => [r.status, r.message])).toEqual([
      ['failed', 'depends on itself through other changes of the batch'],
      ['failed', 'depends on itself through other changes of the batch'],
    ]);
    const aborted = new AbortController();
    aborted.abort();
    const skipped = await provider().apply(
      [change({ kind: 'account', action: 'suspend', account: { key: 'ana.lopez@acme.test' } })],
      { signal: aborted.signal },
    );
    expect(skipped.map((r) => r.status)).toEqual(['skipped']);
    expect(sandbox.instrument.count({ tenant: 'okta' })).toBe(0);
  });
});

describe('UC-24 Okta faults: no lost or duplicated change', () => {
  beforeEach(() => {
    fresh();
  });

  /** Twenty new people, each created and put in a group; plus group creates and lifecycle changes. */
  function bigBatch(): { batch: Change[]; logins: string[] } {
    const logins = Array.from({ length: 20 }, (_, i) => `storm${i}@acme.test`);
    const batch: Change[] = [];
    for (const login of logins) {
      const create = change({
        kind: 'account',
        action: 'create',
        account: { key: login },
        after: { ...newPerson(login), activate: true },
      });
      batch.push(
        create,
        change({
          kind: 'membership',
          action: 'grant',
          account: { key: login },
          target: { name: 'Finance' },
          dependsOn: [create.id],
        }),
      );
    }
    batch.push(
      change({ kind: 'group', action: 'create', account: { key: '' }, target: { name: 'Storm Group' } }),
    );
    const victims = store()
      .users()
      .filter((u) => u.status === 'ACTIVE')
      .slice(0, 5);
    for (const v of victims) {
      batch.push(
        change({
          kind: 'account',
          action: 'suspend',
          account: { key: v.profile.login, id: v.id },
          before: { status: 'active' },
        }),
      );
    }
    return { batch, logins };
  }

  function expectAllLanded(logins: string[]) {
    const finance = groupByName('Finance');
    for (const login of logins) {
      expect(
        store()
          .users()
          .filter((u) => u.profile.login === login),
      ).toHaveLength(1);
      expect(store().isMember(finance.id, userByLogin(login).id)).toBe(true);
    }
    expect(
      store()
        .groups()
        .filter((g) => g.profile.name === 'Storm Group'),
    ).toHaveLength(1);
  }

  it('rides out a 429 storm, waiting as long as X-Rate-Limit-Reset says', async () => {
    const { batch, logins } = bigBatch();
    const usersBefore = store().users().length;
    sandbox.instrument.setFaults('okta', { burstEvery: 3, burstLength: 2 });
    const results = await provider({ maxAttempts: 10 }).apply(batch);
    expect(results.filter((r) => r.status !== 'applied')).toEqual([]);
    expectAllLanded(logins);
    expect(store().users()).toHaveLength(usersBefore + logins.length);
    expect(
      store()
        .users()
        .filter((u) => u.status === 'SUSPENDED').length,
    ).toBeGreaterThanOrEqual(5);
    const limited = sandbox.instrument.requests({ tenant: 'okta' }).filter((r) => r.fault === 'rate-limit');
    expect(limited.length).toBeGreaterThan(batch.length / 2);
    // Every 429 was retried once by accord's loop, none by the SDK's executor (maxRetries 0).
    const rateRetries = retries.filter((r) => r.reason === 'throttled (429 E0000047)');
    expect(rateRetries).toHaveLength(limited.length);
    // Reset is the next whole second and Date is truncated to the second: at most a second's wait.
    for (const r of rateRetries) expect(r.delayMs).toBeLessThanOrEqual(1000);
  });

  it('snapshots through a 429 storm with the same result', async () => {
    const clean = await provider().snapshot(scope());
    sandbox.instrument.setFaults('okta', { burstEvery: 3, burstLength: 2 });
    const stormy = await provider({ maxAttempts: 10 }).snapshot(scope());
    expect({ ...stormy, fetchedAt: '' }).toEqual({ ...clean, fetchedAt: '' });
    expect(retries.length).toBeGreaterThan(0);
  });

  it('retries 500s and connection resets without losing or repeating a change', async () => {
    const { batch, logins } = bigBatch();
    sandbox.instrument.setFaults('okta', { serverErrorRate: 0.25, resetRate: 0.15 });
    const results = await provider({ maxAttempts: 10 }).apply(batch);
    expect(results.filter((r) => r.status !== 'applied')).toEqual([]);
    expectAllLanded(logins);
    const faults = sandbox.instrument.requests({ tenant: 'okta' }).filter((r) => r.fault);
    expect(faults.some((r) => r.fault === 'server-error')).toBe(true);
    expect(faults.some((r) => r.fault === 'reset')).toBe(true);
    expect(retries.some((r) => r.reason === 'server error (500)')).toBe(true);
    expect(retries.some((r) => r.reason === 'network error')).toBe(true);
  });

  it('does not re-create a user or group, or repeat a suspend, whose first answer was lost after it landed', async () => {
    const base = sandbox.urls.okta;
    const ana = userByLogin('ana.lopez@acme.test');
    // Each write lands in the store, then the connection drops before the answer arrives.
    server.use(
      http.post(
        `${base}/api/v1/users`,
        async ({ request }) => {
          const body = (await request.json()) as { profile: Record<string, unknown> };
          store().createUser({ profile: body.profile as never, activate: false });
          return HttpResponse.error();
        },
        { once: true },
      ),
      http.post(
        `${base}/api/v1/groups`,
        async ({ request }) => {
          const body = (await request.json()) as { profile: { name: string } };
          store().createGroup({ name: body.profile.name });
          return new HttpResponse(null, { status: 503 });
        },
        { once: true },
      ),
      http.post(
        `${base}/api/v1/users/${ana.id}/lifecycle/suspend`,
        () => {
          store().transition(ana.id, 'suspend');
          return HttpResponse.error();
        },
        { once: true },
      ),
    );
    const results = await provider().apply([
      change({
        kind: 'account',
        action: 'create',
        account: { key: 'lost@acme.test' },
        after: newPerson('lost@acme.test'),
      }),
      change({ kind: 'group', action: 'create', account: { key: '' }, target: { name: 'Lost Group' } }),
      change({
        kind: 'account',
        action: 'suspend',
        account: { key: ana.profile.login, id: ana.id },
        before: { status: 'active' },
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expect(results[0]!.createdId).toBe(userByLogin('lost@acme.test').id);
    expect(results[1]!.createdId).toBe(groupByName('Lost Group').id);
    expect(
      store()
        .users()
        .filter((u) => u.profile.login === 'lost@acme.test'),
    ).toHaveLength(1);
    expect(
      store()
        .groups()
        .filter((g) => g.profile.name === 'Lost Group'),
    ).toHaveLength(1);
    expect(userByLogin('ana.lopez@acme.test').status).toBe('SUSPENDED');
    // The retries looked first and found the writes: nothing was sent twice.
    expect(count('POST', '/api/v1/users')).toBe(0);
    expect(count('POST', '/api/v1/groups')).toBe(0);
    expect(count('POST', '/api/v1/users/:userId/lifecycle/suspend')).toBe(0);
    expect(count('GET', '/api/v1/users/:userId')).toBe(1);
  });
});
