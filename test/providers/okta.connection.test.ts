import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair } from 'jose';
import { setupServer } from 'msw/node';
import type { Change } from '../../src/model/change.js';
import type { SnapshotScope } from '../../src/model/snapshot.js';
import { AccordError } from '../../src/errors.js';
import {
  createOktaFactory,
  oktaFactory,
  OktaProvider,
  readOktaConnection,
} from '../../src/providers/okta/index.js';
import type { Policy } from '../../src/policy/policy.js';
import { loadPolicy } from '../../src/policy/validate.js';
import { createSandbox, type Sandbox } from '@accord/sandbox';

/** Credentials and endpoints: one-line errors naming the variable to fix, never a secret. */

const UNREACHABLE = 'http://127.0.0.1:1';
const server = setupServer();
beforeAll(() =>
  server.listen({
    // The unreachable org must really be tried (and refused); everything else must be handled.
    onUnhandledFrame: ({ frame, defaults }) => {
      const url = (frame.data as { request?: Request } | undefined)?.request?.url ?? '';
      if (!url.startsWith(`${UNREACHABLE}/`)) defaults.error();
    },
  }),
);
afterAll(() => server.close());

let sandbox: Sandbox;
let policy: Policy;
beforeAll(async () => {
  const loaded = await loadPolicy('policies');
  policy = loaded.policy!;
});
beforeEach(() => {
  sandbox = createSandbox({ people: 60 });
  server.resetHandlers(...sandbox.handlers);
});

const fast = { sleep: async () => undefined };
const scope: SnapshotScope = {
  oktaGroups: ['Sales'],
  oneloginRoles: [],
  includeDeprovisioned: false,
  salesforceFields: [],
};

async function failure(promise: Promise<unknown>): Promise<AccordError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AccordError);
    return error as AccordError;
  }
  throw new Error('expected a failure');
}

function thrown(fn: () => unknown): AccordError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AccordError);
    return error as AccordError;
  }
  throw new Error('expected a failure');
}

describe('Okta provider factory', () => {
  it('creates one provider when the policy declares Okta, none otherwise', () => {
    const providers = oktaFactory.create({ platforms: policy.platforms, env: sandbox.env });
    expect(oktaFactory.platform).toBe('okta');
    expect(providers).toHaveLength(1);
    expect(providers[0]).toBeInstanceOf(OktaProvider);
    expect(providers[0]!.id).toBe('okta');
    expect(providers[0]!.maxBatch('account', 'create')).toBe(1);
    const { okta: _okta, ...others } = policy.platforms;
    expect(oktaFactory.create({ platforms: others, env: sandbox.env })).toEqual([]);
  });

  it('reads the variable names the policy gives', async () => {
    const renamed: Policy = {
      ...policy,
      platforms: {
        ...policy.platforms,
        okta: { connection: { orgUrlEnv: 'ACME_OKTA', tokenEnv: 'ACME_OKTA_KEY' } },
      },
    };
    const env = { ACME_OKTA: sandbox.env.OKTA_ORG_URL!, ACME_OKTA_KEY: sandbox.env.OKTA_API_TOKEN! };
    const [okta] = createOktaFactory(fast).create({ platforms: renamed.platforms, env });
    const snap = await (okta as OktaProvider).snapshot(scope);
    expect(snap.groups.map((g) => g.name)).toEqual(['Sales']);
    const missing = thrown(() =>
      oktaFactory.create({ platforms: renamed.platforms, env: { ACME_OKTA: env.ACME_OKTA } }),
    );
    expect(missing.message).toBe('okta: missing environment variable ACME_OKTA_KEY');
  });
});

describe('Okta connection errors', () => {
  it('names OKTA_ORG_URL when it is missing, and OKTA_API_TOKEN when no credentials are set', () => {
    expect(thrown(() => readOktaConnection(undefined, {})).message).toBe(
      'okta: missing environment variable OKTA_ORG_URL',
    );
    const noToken = thrown(() => readOktaConnection(undefined, { OKTA_ORG_URL: 'https://acme.okta.com' }));
    expect(noToken.message).toBe('okta: missing environment variable OKTA_API_TOKEN');
    expect(noToken.hint).toMatch(/OKTA_CLIENT_ID, OKTA_PRIVATE_KEY and OKTA_SCOPES/);
    const halfOAuth = thrown(() =>
      readOktaConnection(undefined, { OKTA_ORG_URL: 'https://acme.okta.com', OKTA_CLIENT_ID: '0oa1' }),
    );
    expect(halfOAuth.message).toBe('okta: missing environment variables OKTA_PRIVATE_KEY, OKTA_SCOPES');
  });

  it('refuses a plain-http org URL that is not loopback, before any request', () => {
    const error = thrown(() =>
      readOktaConnection(undefined, {
        OKTA_ORG_URL: 'http://example.com',
        OKTA_API_TOKEN: 'secret-token-value',
      }),
    );
    expect(error.message).toBe('okta: OKTA_ORG_URL must use https (got http://example.com)');
    expect(sandbox.instrument.count()).toBe(0);
  });

  it('a bad token: one line naming OKTA_API_TOKEN, without the token, on snapshot and apply', async () => {
    const secret = 'ssws-very-secret-wrong-token-4711';
    const okta = new OktaProvider(
      readOktaConnection(undefined, { ...sandbox.env, OKTA_API_TOKEN: secret }),
      fast,
    );
    const error = await failure(okta.snapshot(scope));
    expect(error.message).toBe('okta: authentication failed (401); check OKTA_API_TOKEN');
    expect(error.message).not.toContain(secret);
    // A 401 is not retried: one request per list read in parallel (users and the group search).
    expect(sandbox.instrument.count({ tenant: 'okta' })).toBe(2);

    const change: Change = {
      id: 'c1',
      address: 'okta.user["ana.lopez@acme.test"]',
      platform: 'okta',
      kind: 'account',
      action: 'suspend',
      account: { key: 'ana.lopez@acme.test', id: '00uX' },
      before: { status: 'active' },
      after: null,
      dependsOn: [],
      reason: { source: 'test' },
    };
    const results = await okta.apply([change]);
    expect(results).toEqual([
      {
        changeId: 'c1',
        status: 'failed',
        message: 'okta: authentication failed (401); check OKTA_API_TOKEN',
      },
    ]);
  });

  it('an unreachable org: one line naming OKTA_ORG_URL, after retrying', async () => {
    const retries: string[] = [];
    const okta = new OktaProvider(
      readOktaConnection(undefined, { OKTA_ORG_URL: UNREACHABLE, OKTA_API_TOKEN: 'secret-token-value' }),
      { ...fast, maxAttempts: 3, onRetry: (r) => retries.push(r.reason) },
    );
    const error = await failure(okta.snapshot({ ...scope, oktaGroups: [] }));
    expect(error.message).toBe(`okta: cannot reach ${UNREACHABLE} (ECONNREFUSED); check OKTA_ORG_URL`);
    expect(retries).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });
});

describe('Okta OAuth 2.0 with a private key', () => {
  it('signs in as a service app, with scopes split on spaces and commas, and fetches one token', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const app = sandbox.stores.okta.registerOAuthClient({
      scopes: ['okta.users.read', 'okta.groups.read'],
      publicKeys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }],
    });
    const env = {
      OKTA_ORG_URL: sandbox.env.OKTA_ORG_URL!,
      OKTA_CLIENT_ID: app.clientId,
      OKTA_PRIVATE_KEY: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'k1' }),
      OKTA_KEY_ID: 'k1',
      OKTA_SCOPES: 'okta.users.read, okta.groups.read',
    };
    const okta = new OktaProvider(readOktaConnection(undefined, env), fast);
    const snap = await okta.snapshot(scope);
    expect(snap.accounts.length).toBeGreaterThan(0);
    expect(snap.groups.map((g) => g.name)).toEqual(['Sales']);
    expect(sandbox.instrument.count({ tenant: 'okta', route: '/oauth2/v1/token' })).toBe(1);
    expect(okta.rateReadings()).toHaveProperty('oauth');
    const usersAndGroupCalls = sandbox.instrument.count({ tenant: 'okta' }) - 1;

    // The same app with a key Okta doesn't know: the credential variables, not the key.
    const stranger = await generateKeyPair('RS256', { extractable: true });
    const wrongKey = JSON.stringify({ ...(await exportJWK(stranger.privateKey)), kid: 'k1' });
    const impostor = new OktaProvider(
      readOktaConnection(undefined, { ...env, OKTA_PRIVATE_KEY: wrongKey }),
      fast,
    );
    const error = await failure(impostor.snapshot(scope));
    expect(error.message).toMatch(
      /^okta: the OAuth token request was refused \(invalid_client: The client_assertion token is invalid: .*\); check OKTA_CLIENT_ID, OKTA_PRIVATE_KEY, OKTA_SCOPES$/,
    );
    expect(error.message).not.toContain(wrongKey.slice(20, 40));
    expect(error.message).not.toMatch(/\n/);

    const unreadable = new OktaProvider(
      readOktaConnection(undefined, { ...env, OKTA_PRIVATE_KEY: 'not a key' }),
      fast,
    );
    expect((await failure(unreadable.snapshot(scope))).message).toMatch(
      /^okta: cannot use the private key in OKTA_PRIVATE_KEY/,
    );

    const tooMuch = new OktaProvider(
      readOktaConnection(undefined, { ...env, OKTA_SCOPES: 'okta.users.manage' }),
      fast,
    );
    const scopes = await failure(tooMuch.snapshot(scope));
    expect(scopes.message).toBe(
      'okta: the OAuth token request was refused (invalid_scope: The following scopes are not allowed: okta.users.manage); check OKTA_CLIENT_ID, OKTA_PRIVATE_KEY, OKTA_SCOPES',
    );
    // The refusal is not retried, and no API call goes out with a token that doesn't exist.
    const tokenRequests = sandbox.instrument.count({ tenant: 'okta', route: '/oauth2/v1/token' });
    expect(sandbox.instrument.count({ tenant: 'okta' })).toBe(tokenRequests + usersAndGroupCalls);
    const results = await tooMuch.apply([
      {
        id: 'c1',
        address: 'okta.group["Sales"]',
        platform: 'okta',
        kind: 'group',
        action: 'create',
        account: { key: '' },
        target: { name: 'New Group' },
        before: null,
        after: null,
        dependsOn: [],
        reason: { source: 'test' },
      },
    ]);
    expect(results).toEqual([{ changeId: 'c1', status: 'failed', message: scopes.message }]);
  });
});
