import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { createSandbox, startSandbox, type Sandbox } from '../src/index.js';

/**
 * The assembled sandbox over real loopback HTTP, driven by plain fetch as any client of the
 * documented protocols would: one documented endpoint per platform, counters, an injected
 * connection reset, and --data persistence.
 */

const env = (sandbox: Sandbox, name: string): string => {
  const value = sandbox.env[name];
  if (value === undefined)
    throw new Error(`sandbox env lacks ${name}: ${Object.keys(sandbox.env).join(', ')}`);
  return value;
};

const okta = (sandbox: Sandbox, path: string, init: RequestInit = {}) =>
  fetch(`${env(sandbox, 'OKTA_ORG_URL')}${path}`, {
    ...init,
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: `SSWS ${env(sandbox, 'OKTA_API_TOKEN')}`,
      ...init.headers,
    },
  });

describe('startSandbox over loopback', () => {
  const started: Sandbox[] = [];
  let dir: string | undefined;
  const start = async (options: Parameters<typeof startSandbox>[0] = {}) => {
    const sandbox = await startSandbox({ transport: 'loopback', port: 0, people: 120, ...options });
    started.push(sandbox);
    return sandbox;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('serves every tenant on its own loopback port, named in the env', async () => {
    const sandbox = await start();
    expect(sandbox.tenants.map((t) => t.id)).toEqual([
      'okta',
      'onelogin',
      'salesforce:prod',
      'salesforce:emea',
    ]);
    const ports = new Set(Object.values(sandbox.urls).map((u) => new URL(u).port));
    expect(ports.size).toBe(4);
    for (const url of Object.values(sandbox.urls)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env(sandbox, 'OKTA_ORG_URL')).toBe(sandbox.urls.okta);
    expect(env(sandbox, 'SF_PROD_INSTANCE_URL')).toBe(sandbox.urls['salesforce:prod']);
    expect(env(sandbox, 'SF_EMEA_INSTANCE_URL')).toBe(sandbox.urls['salesforce:emea']);
  });

  it('answers Okta: GET /api/v1/users with SSWS gives an array and absolute Link headers', async () => {
    const sandbox = await start();
    const res = await okta(sandbox, '/api/v1/users?limit=5');
    expect(res.status).toBe(200);
    const users = (await res.json()) as { id: string; status: string; profile: { login: string } }[];
    expect(Array.isArray(users)).toBe(true);
    expect(users).toHaveLength(5);
    expect(users[0]).toMatchObject({ id: expect.any(String), status: expect.any(String) });
    const link = res.headers.get('link') ?? '';
    expect(link).toContain(`<${sandbox.urls.okta}/api/v1/users?`);
    expect(link).toMatch(/rel="next"/);
    expect(sandbox.instrument.count({ tenant: 'okta', method: 'GET' })).toBe(1);
  });

  it('answers OneLogin: a token, then GET /api/2/users as a bare array with After-Cursor', async () => {
    const sandbox = await start();
    const base = env(sandbox, 'ONELOGIN_URL');
    const tokenRes = await fetch(`${base}/auth/oauth2/v2/token`, {
      method: 'POST',
      headers: {
        authorization: `client_id:${env(sandbox, 'ONELOGIN_CLIENT_ID')}, client_secret:${env(sandbox, 'ONELOGIN_CLIENT_SECRET')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(tokenRes.status).toBe(200);
    const token = (await tokenRes.json()) as { access_token: string; token_type: string };
    expect(token.access_token).toEqual(expect.any(String));
    const res = await fetch(`${base}/api/2/users?limit=3`, {
      headers: { authorization: `bearer ${token.access_token}` },
    });
    expect(res.status).toBe(200);
    const users = (await res.json()) as { id: number; username: string; state: number; status: number }[];
    expect(Array.isArray(users)).toBe(true);
    expect(users).toHaveLength(3);
    expect(users[0]).toMatchObject({
      id: expect.any(Number),
      state: expect.any(Number),
      status: expect.any(Number),
    });
    expect(res.headers.get('after-cursor')).toEqual(expect.any(String));
    expect(sandbox.instrument.count({ tenant: 'onelogin' })).toBe(2);
  });

  it('answers Salesforce: SOQL query with Bearer gives {totalSize, done, records}', async () => {
    const sandbox = await start();
    for (const org of ['PROD', 'EMEA']) {
      const res = await fetch(
        `${env(sandbox, `SF_${org}_INSTANCE_URL`)}/services/data/v62.0/query?q=SELECT+Id+FROM+User`,
        { headers: { authorization: `Bearer ${env(sandbox, `SF_${org}_ACCESS_TOKEN`)}` } },
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as { totalSize: number; done: boolean; records: { Id: string }[] };
      expect(body).toMatchObject({ totalSize: expect.any(Number), done: expect.any(Boolean) });
      expect(body.records.length).toBeGreaterThan(0);
      expect(body.records[0]!.Id).toMatch(/^005/);
    }
    expect(sandbox.instrument.count({ tenant: 'salesforce:prod' })).toBe(1);
    expect(sandbox.instrument.count({ tenant: 'salesforce:emea' })).toBe(1);
    expect(sandbox.instrument.count({ tenant: (t) => t.startsWith('salesforce:') })).toBe(2);
  });

  it('turns an injected reset into a network error and keeps serving afterwards', async () => {
    const sandbox = await start();
    sandbox.instrument.setFaults('okta', { resetRate: 1 });
    await expect(okta(sandbox, '/api/v1/users?limit=1')).rejects.toThrow();
    expect(sandbox.instrument.requests({ tenant: 'okta' }).map((r) => r.fault)).toEqual(['reset']);
    sandbox.instrument.setFaults('okta', undefined);
    const res = await okta(sandbox, '/api/v1/users?limit=1');
    expect(res.status).toBe(200);
    expect(sandbox.instrument.count({ tenant: 'okta', includeFaults: false })).toBe(1);
  });

  it('persists the tenants in --data: a change survives a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'accord-sandbox-'));
    const dataFile = join(dir, 'sandbox.json');
    const first = await start({ dataFile, seed: 7 });
    expect(first.loadedFromFile).toBe(false);
    const login = 'persisted.person@acme.test';
    const created = await okta(first, '/api/v1/users?activate=false', {
      method: 'POST',
      body: JSON.stringify({ profile: { firstName: 'Persisted', lastName: 'Person', email: login, login } }),
    });
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: string };
    await first.close();

    const second = await start({ dataFile, seed: 999, people: 20 });
    expect(second.loadedFromFile).toBe(true);
    // The file's seed and size win over the options.
    expect(second.seed).toBe(7);
    expect(second.people).toBe(120);
    const res = await okta(second, `/api/v1/users/${id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, profile: { login } });
  });

  it('saves shortly after a write, without waiting for close', async () => {
    dir = await mkdtemp(join(tmpdir(), 'accord-sandbox-'));
    const dataFile = join(dir, 'sandbox.json');
    const first = await start({ dataFile, saveDebounceMs: 20 });
    const login = 'debounced.save@acme.test';
    const created = await okta(first, '/api/v1/users?activate=false', {
      method: 'POST',
      body: JSON.stringify({ profile: { firstName: 'Debounced', lastName: 'Save', email: login, login } }),
    });
    const { id } = (await created.json()) as { id: string };
    await new Promise((r) => setTimeout(r, 300));
    // A second sandbox reads the file while the first still runs (and hasn't closed).
    const second = await start({ dataFile });
    expect((await okta(second, `/api/v1/users/${id}`)).status).toBe(200);
  });
});

describe('createSandbox (msw transport)', () => {
  it('answers through setupServer on .test hosts', async () => {
    const sandbox = createSandbox({ people: 50 });
    expect(sandbox.urls.okta).toBe('https://acme.okta.test');
    const server = setupServer(...sandbox.handlers);
    server.listen({ onUnhandledFrame: 'error' });
    try {
      const res = await okta(sandbox, '/api/v1/users?limit=2');
      expect(res.status).toBe(200);
      expect(await res.json()).toHaveLength(2);
      expect(sandbox.instrument.count({ tenant: 'okta' })).toBe(1);
    } finally {
      server.close();
      await sandbox.close();
    }
  });

  it('applies the faults option, deterministically under the fault seed', async () => {
    const pattern = async () => {
      const sandbox = createSandbox({
        people: 30,
        faults: { 'salesforce:*': { serverErrorRate: 0.5 } },
        faultSeed: 9,
      });
      const server = setupServer(...sandbox.handlers);
      server.listen({ onUnhandledFrame: 'error' });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 8; i++) {
          const res = await fetch(
            `${env(sandbox, 'SF_EMEA_INSTANCE_URL')}/services/data/v62.0/query?q=SELECT+Id+FROM+User+LIMIT+1`,
            { headers: { authorization: `Bearer ${env(sandbox, 'SF_EMEA_ACCESS_TOKEN')}` } },
          );
          await res.arrayBuffer();
          statuses.push(res.status);
        }
        expect(sandbox.instrument.count({ tenant: 'salesforce:emea', includeFaults: false })).toBe(
          statuses.filter((s) => s === 200).length,
        );
        return statuses;
      } finally {
        server.close();
      }
    };
    const first = await pattern();
    expect(first).toContain(200);
    expect(first.some((s) => s >= 500)).toBe(true);
    expect(await pattern()).toEqual(first);
  });
});
