import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { exportPKCS8, generateKeyPair } from 'jose';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { AccordError } from '../../src/errors.js';
import type { SnapshotScope } from '../../src/model/snapshot.js';
import type { Policy } from '../../src/policy/policy.js';
import { SalesforceProvider, type SalesforceProviderOptions } from '../../src/providers/salesforce/index.js';
import { createSandbox } from '@accord/sandbox';
import { loadDemoPolicy } from '../support/demo.js';
import { changeBuilder } from './change.js';

/**
 * The Salesforce provider when things go wrong: injected 5xx and resets, responses lost after
 * the write landed, the daily API limit, bad credentials, unreachable orgs, and the OAuth flows.
 */

const sandbox = createSandbox({ faultSeed: 7 });
const server = setupServer(...sandbox.handlers);
const prod = sandbox.stores.salesforce.prod!;
const instrument = sandbox.instrument;
const BASE = sandbox.env.SF_PROD_INSTANCE_URL!;
let policy: Policy;

const FAST: SalesforceProviderOptions = {
  retry: { sleep: async () => undefined, maxAttempts: 8 },
  transportRetry: { minTimeout: 1, timeoutFactor: 1 },
  bulkPollIntervalMs: 5,
};
const scope: SnapshotScope = {
  oktaGroups: [],
  oneloginRoles: [],
  includeDeprovisioned: true,
  salesforceFields: [],
  // A transfer to a queue is in play (UC-07 below), so the queues are read.
  salesforceQueues: true,
};
const provider = (env: Record<string, string | undefined> = sandbox.env, p: Policy = policy, org = 'prod') =>
  new SalesforceProvider(org, { settings: p.platforms.salesforce![org]!, env }, FAST);

const change = changeBuilder('salesforce:prod', 'r', (c, seq) => `salesforce.prod.${c.kind}.${seq}`);
const userCreate = (tag: string, i: number) => {
  const username = `sf.${tag}.${i}@acme.test`;
  return change({
    kind: 'account',
    action: 'create',
    account: { key: username },
    after: {
      Username: username,
      Email: username,
      LastName: `Fault${i}`,
      Alias: `f${i}`,
      TimeZoneSidKey: 'Europe/Berlin',
      LocaleSidKey: 'de_DE',
      EmailEncodingKey: 'UTF-8',
      LanguageLocaleKey: 'en_US',
      Profile: 'Chatter Free User',
      UserRole: null,
      Manager: null,
    },
  });
};
const grant = (username: string, set: string) =>
  change({ kind: 'permissionSet', action: 'grant', account: { key: username }, target: { name: set } });

/** Every user of these usernames exists exactly once, and each has the sets exactly once. */
function expectExactlyOnce(usernames: string[], sets: string[]) {
  for (const username of usernames) {
    const users = prod.records('User').filter((u) => u.Username === username);
    expect(users).toHaveLength(1);
    const names = prod
      .assignmentsOf(users[0]!.Id)
      .map((a) => String(prod.get('PermissionSet', String(a.PermissionSetId))?.Name))
      .filter((n) => sets.includes(n))
      .sort();
    expect(names).toEqual([...sets].sort());
  }
}

beforeAll(async () => {
  server.listen({ onUnhandledFrame: 'error' });
  policy = await loadDemoPolicy();
});
afterAll(() => server.close());
beforeEach(() => {
  server.resetHandlers();
  instrument.reset();
  instrument.clearFaults();
});

describe('UC-10 faults: no lost or duplicated users or assignments', () => {
  it.each([
    ['5xx on every method', { serverErrorRate: 0.3 }],
    ['5xx on POST only', { serverErrorRate: 0.5, methods: ['POST'] }],
    ['connection resets', { resetRate: 0.3 }],
  ])('%s', async (tag, faults) => {
    const p = provider();
    const creates = Array.from({ length: 250 }, (_, i) => userCreate(tag.replace(/\W+/g, ''), i));
    instrument.setFaults('salesforce:prod', faults, 3);
    const created = await p.apply(creates);
    const usernames = creates.map((c) => c.account.key);
    const grants = usernames.flatMap((u) => [grant(u, 'Report_Builder'), grant(u, 'Knowledge_User')]);
    const granted = await p.apply(grants);
    instrument.clearFaults();

    expect(created.every((r) => r.status === 'applied' && r.createdId)).toBe(true);
    expect(granted.every((r) => r.status === 'applied' && r.createdId)).toBe(true);
    expect(instrument.count({ tenant: 'salesforce:prod', includeFaults: true })).toBeGreaterThan(
      instrument.count({ tenant: 'salesforce:prod', includeFaults: false }),
    );
    expectExactlyOnce(usernames, ['Report_Builder', 'Knowledge_User']);
    for (const [i, r] of created.entries()) expect(prod.user(usernames[i]!)?.Id).toBe(r.createdId);
  });

  it('looks up what a lost response created before sending again (verify before resend)', async () => {
    // The first two composite POSTs reach the org, but their responses never come back.
    let lose = 2;
    const composite = sandbox.handlers.find(
      (h) => h.info.header === `POST ${BASE}/services/data/:version/composite/sobjects`,
    )!;
    server.use(
      http.post(`${BASE}/services/data/:version/composite/sobjects`, async ({ request, requestId }) => {
        if (lose === 0) return undefined;
        lose--;
        await composite.run({ request: request.clone(), requestId });
        return HttpResponse.error();
      }),
    );
    const p = provider();
    const creates = Array.from({ length: 3 }, (_, i) => userCreate('lost', i));
    const usernames = creates.map((c) => c.account.key);
    const created = await p.apply(creates);
    const granted = await p.apply(usernames.map((u) => grant(u, 'API_Only')));
    expect(lose).toBe(0);
    expect(created.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expect(granted.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expectExactlyOnce(usernames, ['API_Only']);
    for (const [i, r] of created.entries()) expect(r.createdId).toBe(prod.user(usernames[i]!)!.Id);
    for (const r of granted) expect(prod.get('PermissionSetAssignment', r.createdId!)).toBeDefined();
    // Each retry asked first (a query) and then had nothing left to send.
    expect(
      instrument.count({ tenant: 'salesforce:prod', route: '/services/data/:version/composite/sobjects' }),
    ).toBe(2);
    expect(
      instrument.count({ tenant: 'salesforce:prod', route: '/services/data/:version/query' }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('reports a request that keeps failing on its changes, as failed, and goes on', async () => {
    instrument.setFaults('salesforce:prod', { serverErrorRate: 1, methods: ['PATCH'] });
    const p = provider();
    const results = await p.apply([
      change({
        kind: 'account',
        action: 'update',
        account: { key: 'ana.lopez@acme.test' },
        after: { Title: 'AE II' },
      }),
      grant('ana.lopez@acme.test', 'Report_Builder'),
    ]);
    expect(results[0]).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/^UNKNOWN_EXCEPTION: An unexpected error/),
    });
    expect(results[1]!.status).toBe('applied');
    expect(prod.user('ana.lopez@acme.test')?.Title).toBe('Account Executive');
  });
});

describe('UC-11 the daily API limit', () => {
  it('stops a snapshot with a clear error before the remaining calls drop under the reserve', async () => {
    const saved = prod.dailyApiLimit;
    prod.dailyApiLimit = prod.apiUsed + 1000 + 4;
    try {
      const error = await provider()
        .snapshot(scope)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AccordError);
      expect((error as AccordError).code).toBe('limits.daily-reserve');
      expect((error as AccordError).message).toMatch(
        /^salesforce:prod: daily API limit nearly used up: 1000 of \d+ remaining, reserve 1000/,
      );
      expect((error as AccordError).message).not.toContain('\n');
      expect(prod.dailyApiLimit - prod.apiUsed).toBe(1000);
      expect(instrument.count({ tenant: 'salesforce:prod' })).toBe(4);
    } finally {
      prod.dailyApiLimit = saved;
    }
  });

  it('stops a batch of writes at the reserve, not after it', async () => {
    const p = provider();
    await p.snapshot(scope);
    const saved = prod.dailyApiLimit;
    const users = prod.records('User').slice(0, 150);
    // 450 grants need 3 calls; only 2 are left above the reserve.
    prod.dailyApiLimit = prod.apiUsed + 1000 + 2;
    try {
      const grants = ['Data_Export', 'Billing_Approver', 'Globex_Pipeline'].flatMap((set) =>
        users.map((u) =>
          change({
            kind: 'permissionSet',
            action: 'grant',
            account: { key: String(u.Username), id: u.Id },
            target: { name: set },
          }),
        ),
      );
      instrument.reset();
      const error = await p.apply(grants).catch((e: unknown) => e);
      expect((error as AccordError).code).toBe('limits.daily-reserve');
      expect(instrument.count({ tenant: 'salesforce:prod' })).toBe(2);
      expect(prod.dailyApiLimit - prod.apiUsed).toBe(1000);
    } finally {
      prod.dailyApiLimit = saved;
    }
  });

  it('turns a 403 REQUEST_LIMIT_EXCEEDED into the limit error, without retrying it', async () => {
    // The org runs out between two calls (other integrations share the allowance).
    instrument.setFaults('salesforce:prod', { burstEvery: 2, burstLength: 1 });
    const error = await provider()
      .snapshot(scope)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccordError);
    expect((error as AccordError).code).toBe('limits.daily-exceeded');
    expect((error as AccordError).message).toBe(
      'salesforce:prod: daily API limit exceeded (REQUEST_LIMIT_EXCEEDED); Salesforce refuses further calls',
    );
    expect(instrument.requests({ tenant: 'salesforce:prod' }).map((r) => r.status)).toEqual([200, 403]);
  });
});

describe('UC-13 credentials and endpoints', () => {
  const oneLine = (e: unknown) => {
    expect(e).toBeInstanceOf(AccordError);
    const message = (e as AccordError).message;
    expect(message).not.toContain('\n');
    return message;
  };

  it('names SF_PROD_ACCESS_TOKEN for a bad token, without the token', async () => {
    const message = oneLine(
      await provider({ ...sandbox.env, SF_PROD_ACCESS_TOKEN: 'bad-token-0123456789' })
        .snapshot(scope)
        .catch((e: unknown) => e),
    );
    expect(message).toBe('salesforce:prod: authentication failed (401); check SF_PROD_ACCESS_TOKEN');
  });

  it('names SF_PROD_INSTANCE_URL when the org cannot be reached', async () => {
    const url = 'https://unreachable.my.salesforce.test';
    server.use(http.all(`${url}/*`, () => HttpResponse.error()));
    const message = oneLine(
      await provider({ ...sandbox.env, SF_PROD_INSTANCE_URL: url })
        .snapshot(scope)
        .catch((e: unknown) => e),
    );
    expect(message).toMatch(
      /^salesforce:prod: cannot reach https:\/\/unreachable\.my\.salesforce\.test \(.+\); check SF_PROD_INSTANCE_URL$/,
    );
  });

  it('refuses plain http off loopback, and names the missing variables', async () => {
    const insecure = await provider({ ...sandbox.env, SF_PROD_INSTANCE_URL: 'http://acme.my.salesforce.com' })
      .snapshot(scope)
      .catch((e: unknown) => e);
    expect(oneLine(insecure)).toBe(
      'salesforce:prod: SF_PROD_INSTANCE_URL must use https (got http://acme.my.salesforce.com)',
    );
    expect(
      oneLine(
        await provider({})
          .snapshot(scope)
          .catch((e: unknown) => e),
      ),
    ).toMatch(
      /^salesforce:prod: no credentials: set SF_PROD_INSTANCE_URL and SF_PROD_ACCESS_TOKEN, or SF_PROD_CLIENT_ID, SF_PROD_USERNAME and SF_PROD_PRIVATE_KEY/,
    );
    expect(
      oneLine(
        await provider({ SF_PROD_ACCESS_TOKEN: 'x' })
          .snapshot(scope)
          .catch((e: unknown) => e),
      ),
    ).toBe('salesforce:prod: an access token needs SF_PROD_INSTANCE_URL, which is not set');
  });

  it('reads the variables the policy names', async () => {
    const named: Policy = {
      ...policy,
      platforms: {
        ...policy.platforms,
        salesforce: {
          prod: { connection: { instanceUrlEnv: 'ACME_SF_URL', accessTokenEnv: 'ACME_SF_TOKEN' } },
        },
      },
    };
    const snap = await provider(
      { ACME_SF_URL: BASE, ACME_SF_TOKEN: sandbox.env.SF_PROD_ACCESS_TOKEN },
      named,
    ).snapshot(scope);
    expect(snap.users.length).toBe(prod.table('User').size);
    const bad = await provider({ ACME_SF_URL: BASE, ACME_SF_TOKEN: 'nope' }, named)
      .snapshot(scope)
      .catch((e: unknown) => e);
    expect(oneLine(bad)).toBe('salesforce:prod: authentication failed (401); check ACME_SF_TOKEN');
  });

  it('signs a JWT bearer assertion and uses the instance URL the token endpoint returns', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportPKCS8(privateKey);
    const env = {
      SF_PROD_LOGIN_URL: BASE,
      SF_PROD_CLIENT_ID: sandbox.env.SF_PROD_CLIENT_ID,
      SF_PROD_USERNAME: 'sam.admin@acme.test',
      // As CI secrets often hold it: on one line with literal \n.
      SF_PROD_PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
    };
    const snap = await provider(env).snapshot(scope);
    expect(snap.users.length).toBe(prod.table('User').size);
    expect(
      instrument.count({ tenant: 'salesforce:prod', route: '/services/oauth2/token', method: 'POST' }),
    ).toBe(1);
    // The token, then the nine queries (and their further pages): nothing else.
    expect(Object.keys(instrument.summary()).sort()).toEqual(
      [
        'salesforce:prod GET /services/data/:version/query',
        'salesforce:prod GET /services/data/:version/query/:locator',
        'salesforce:prod POST /services/oauth2/token',
      ]
        .slice(instrument.count({ route: '/services/data/:version/query/:locator' }) > 0 ? 0 : 1)
        .sort(),
    );
    expect(instrument.count({ tenant: 'salesforce:prod', route: '/services/data/:version/query' })).toBe(9);

    const refused = await provider({ ...env, SF_PROD_USERNAME: 'nobody@acme.test' })
      .snapshot(scope)
      .catch((e: unknown) => e);
    expect(oneLine(refused)).toBe(
      "salesforce:prod: jwt-bearer login refused (invalid_grant: user hasn't approved this consumer); check SF_PROD_LOGIN_URL, SF_PROD_CLIENT_ID, SF_PROD_USERNAME, SF_PROD_PRIVATE_KEY",
    );
    expect(
      oneLine(
        await provider({ ...env, SF_PROD_PRIVATE_KEY: 'not a key' })
          .snapshot(scope)
          .catch((e: unknown) => e),
      ),
    ).toBe('salesforce:prod: SF_PROD_PRIVATE_KEY is not a PEM or JWK private key');
  });

  it('gets a token with client credentials, and says so when the secret is wrong', async () => {
    const env = {
      SF_PROD_LOGIN_URL: BASE,
      SF_PROD_CLIENT_ID: sandbox.env.SF_PROD_CLIENT_ID,
      SF_PROD_CLIENT_SECRET: sandbox.env.SF_PROD_CLIENT_SECRET,
    };
    expect((await provider(env).snapshot(scope)).users.length).toBe(prod.table('User').size);
    const wrong = await provider({ ...env, SF_PROD_CLIENT_SECRET: 'wrong-secret-value' })
      .snapshot(scope)
      .catch((e: unknown) => e);
    const message = oneLine(wrong);
    expect(message).toBe(
      'salesforce:prod: client-credentials login refused (invalid_client: invalid client credentials); check SF_PROD_LOGIN_URL, SF_PROD_CLIENT_ID, SF_PROD_CLIENT_SECRET',
    );
  });
});

describe('UC-14 a larger company: ceil(rows / 2000) calls per query', () => {
  const big = createSandbox({ people: 5000 });
  const bigServer = setupServer(...big.handlers);
  beforeAll(() => {
    server.close();
    bigServer.listen({ onUnhandledFrame: 'error' });
  });
  afterAll(() => {
    bigServer.close();
    server.listen({ onUnhandledFrame: 'error' });
  });

  it('pages every query with queryMore and nothing else', async () => {
    const store = big.stores.salesforce.prod!;
    expect(store.table('User').size).toBeGreaterThan(2000);
    const phases: Record<string, number> = {};
    const snap = await new SalesforceProvider(
      'prod',
      { settings: policy.platforms.salesforce!.prod!, env: big.env },
      FAST,
    ).snapshot(scope, (e) => {
      if (e.done) phases[e.phase] = e.pages;
    });
    const rows = [
      snap.users.length,
      snap.users.filter((u) => u.frozen).length,
      snap.profiles.length,
      snap.roles.length,
      snap.permissionSets.length,
      snap.permissionSetGroups.length,
      snap.assignments.length,
      snap.licenses.length,
      snap.queues!.length,
    ];
    const pages = rows.map((n) => Math.max(1, Math.ceil(n / 2000)));
    expect(snap.users).toHaveLength(store.table('User').size);
    expect(snap.assignments.length).toBeGreaterThan(2000);
    expect(phases.User).toBe(Math.ceil(snap.users.length / 2000));
    expect(phases.PermissionSetAssignment).toBe(Math.ceil(snap.assignments.length / 2000));
    const count = (route: string) =>
      big.instrument.count({ tenant: 'salesforce:prod', route: `/services/data/:version${route}` });
    expect(count('/query')).toBe(9);
    expect(count('/query/:locator')).toBe(pages.reduce((a, b) => a + b, 0) - 9);
    expect(big.instrument.count({ tenant: 'salesforce:prod' })).toBe(pages.reduce((a, b) => a + b, 0));
  });

  it('stops a paged query at the reserve: jsforce fetches no more pages than are left', async () => {
    const store = big.stores.salesforce.prod!;
    const p = new SalesforceProvider(
      'prod',
      { settings: policy.platforms.salesforce!.prod!, env: big.env },
      FAST,
    );
    await p.snapshot(scope);
    const saved = store.dailyApiLimit;
    // Seven one-page reads come first; then one call is left above the reserve, and the User
    // query needs two pages.
    store.dailyApiLimit = store.apiUsed + 1000 + 7 + 1;
    try {
      big.instrument.reset();
      const error = await p.snapshot(scope).catch((e: unknown) => e);
      expect((error as AccordError).code).toBe('limits.daily-reserve');
      expect((error as AccordError).message).toMatch(
        /1000 of \d+ remaining, reserve 1000, and the next step needs 1 more calls$/,
      );
      expect(big.instrument.count({ tenant: 'salesforce:prod' })).toBe(8);
      expect(store.dailyApiLimit - store.apiUsed).toBe(1000);
    } finally {
      store.dailyApiLimit = saved;
    }
  });
});
