import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { sha256 } from '../../src/model/canonical-json.js';
import type { SnapshotScope } from '../../src/model/snapshot.js';
import { OktaProvider, readOktaConnection } from '../../src/providers/okta/index.js';
import { snapshotAll } from '../../src/providers/snapshot-all.js';
import { snapshotCachePath } from '../../src/providers/snapshot-cache.js';
import { createSandbox, type Sandbox } from '@accord/sandbox';

/**
 * UC-17: Okta factors read through the SDK (`userFactorApi.listFactors`), one call per account that
 * can sign in on a full read, none on an unchanged org built on the snapshot cache (one System Log
 * call instead), and exactly the accounts the log says changed after enrolments and resets.
 */

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

const scope: SnapshotScope = {
  oktaGroups: ['Sales'],
  oneloginRoles: [],
  includeDeprovisioned: true,
  oktaFactors: true,
  salesforceFields: [],
};
const FACTORS = '/api/v1/users/:userId/factors';

let sandbox: Sandbox;
let dir: string;
let cachePath: string;
const store = () => sandbox.stores.okta;
const provider = () =>
  new OktaProvider(readOktaConnection(undefined, sandbox.env), { sleep: async () => undefined });
const calls = (route: string) => sandbox.instrument.count({ tenant: 'okta', route });

async function read(refresh: 'auto' | 'full' = 'auto') {
  sandbox.instrument.reset();
  const snapshots = await snapshotAll([provider()], scope, undefined, {
    cache: { path: cachePath, refresh },
  });
  return {
    snapshot: snapshots.okta!,
    mode: snapshots.reads!.okta!.mode,
    factorCalls: calls(FACTORS),
    logCalls: calls('/api/v1/logs'),
  };
}

const signInable = () =>
  store()
    .users()
    .filter((u) => u.status !== 'STAGED' && u.status !== 'DEPROVISIONED');

beforeEach(async () => {
  sandbox = createSandbox({ people: 120 });
  server.resetHandlers(...sandbox.handlers);
  dir = await mkdtemp(join(tmpdir(), 'accord-factors-'));
  cachePath = snapshotCachePath(join(dir, 'dev.state.json'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('UC-17 Okta MFA factors', () => {
  it('UC-17 reads factors once per account that can sign in, then 0 factor calls on an unchanged org', async () => {
    const first = await read();
    const covered = signInable();
    expect(first.mode).toBe('full');
    expect(first.factorCalls).toBe(covered.length);
    expect(Object.keys(first.snapshot.factors!).sort()).toEqual(covered.map((u) => u.id).sort());
    // As the seed enrolled them: ACTIVE factors count, PENDING_ACTIVATION ones do not.
    for (const u of covered) {
      const active = [
        ...new Set(
          store()
            .factors.of(u.id)
            .filter((f) => f.status === 'ACTIVE')
            .map((f) => f.factorType),
        ),
      ].sort();
      expect(first.snapshot.factors![u.id]).toEqual({ active, graceFrom: u.activated ?? u.created });
    }
    const unenrolled = covered.filter((u) => first.snapshot.factors![u.id]!.active.length === 0);
    expect(unenrolled.length).toBeGreaterThan(0);
    expect(unenrolled.length).toBeLessThan(covered.length / 4);

    const second = await read();
    expect(second.mode).toBe('incremental');
    expect(second.factorCalls).toBe(0);
    expect(second.logCalls).toBe(1);
    expect(second.snapshot.factors).toEqual(first.snapshot.factors);
  });

  it('UC-17 re-reads exactly the accounts whose factors the System Log says moved', async () => {
    const first = await read();
    const covered = signInable();
    const without = covered.find((u) => first.snapshot.factors![u.id]!.active.length === 0)!;
    const withPush = covered.find((u) => first.snapshot.factors![u.id]!.active.includes('push'))!;
    store().factors.enroll(without.id, 'token:software:totp');
    store().factors.resetAll(withPush.id);
    // A pending enrolment is logged only when it is activated.
    const pending = covered.find((u) => u !== without && first.snapshot.factors![u.id]!.active.length === 0)!;
    const factor = store().factors.enroll(pending.id, 'sms', { status: 'PENDING_ACTIVATION' });

    const second = await read();
    expect(second.mode).toBe('incremental');
    expect(second.factorCalls).toBe(2);
    expect(second.snapshot.factors![without.id]!.active).toEqual(['token:software:totp']);
    expect(second.snapshot.factors![withPush.id]!.active).toEqual([]);
    expect(second.snapshot.factors![pending.id]!.active).toEqual([]);

    store().factors.activate(pending.id, factor.id);
    const third = await read();
    expect(third.factorCalls).toBe(1);
    expect(third.snapshot.factors![pending.id]!.active).toEqual(['sms']);
    expect((await read()).factorCalls).toBe(0);
  });

  it('UC-17 reads a new account and one back from deactivation; drops deactivated ones', async () => {
    await read();
    const created = store().createUser({
      profile: {
        login: 'new.hire@acme.test',
        email: 'new.hire@acme.test',
        firstName: 'New',
        lastName: 'Hire',
      },
      activate: true,
    });
    const leaver = signInable().find((u) => u.id !== created.id)!;
    store().transition(leaver.id, 'deactivate');
    const next = await read();
    expect(next.factorCalls).toBe(1);
    expect(next.snapshot.factors![created.id]).toEqual({
      active: [],
      graceFrom: created.activated ?? created.created,
    });
    expect(next.snapshot.factors![leaver.id]).toBeUndefined();
    store().transition(leaver.id, 'activate');
    const back = await read();
    expect(back.factorCalls).toBe(1);
    expect(back.snapshot.factors![leaver.id]).toBeDefined();
  });

  it('UC-17 --refresh full and a malformed cached factor read re-read every account', async () => {
    await read();
    const covered = signInable().length;
    expect((await read('full')).factorCalls).toBe(covered);
    const file = JSON.parse(await readFile(cachePath, 'utf8')) as {
      platforms: { okta: { base: { factors: unknown } } };
    };
    expect(file.platforms.okta.base.factors).toBeDefined();
    // A tampered file fails its digest: everything (factors too) is read again.
    await writeFile(cachePath, JSON.stringify({ ...file, digest: 'x' }));
    expect((await read()).factorCalls).toBe(covered);
  });

  it('UC-17 a System Log position the org refuses re-reads every account, the rest stays incremental', async () => {
    await read();
    const file = JSON.parse(await readFile(cachePath, 'utf8')) as {
      digest: string;
      platforms: { okta: { base: { factors: { log: Record<string, string> } } } };
    };
    file.platforms.okta.base.factors.log = { since: new Date().toISOString(), after: 'not-a-cursor' };
    file.digest = sha256(JSON.stringify(file.platforms));
    await writeFile(cachePath, JSON.stringify(file));
    const next = await read();
    expect(next.mode).toBe('incremental');
    expect(next.factorCalls).toBe(signInable().length);
    expect((await read()).factorCalls).toBe(0);
  });

  it('UC-17 factor reads are paced on the user family budget (25 calls a 1 s window)', async () => {
    const okta = sandbox.tenants.find((t) => t.id === 'okta') as unknown as {
      rateLimits: { configure(options: { limits: { user: number }; windowSeconds: number }): void };
    };
    okta.rateLimits.configure({ limits: { user: 25 }, windowSeconds: 1 });
    sandbox.instrument.reset();
    // The real clock: the session waits for the window's reset the sandbox announces.
    const paced = new OktaProvider(readOktaConnection(undefined, sandbox.env));
    const snapshot = await paced.snapshot(scope);
    expect(Object.keys(snapshot.factors!)).toHaveLength(signInable().length);
    // Requests already in flight when the budget runs out can be refused; each is retried after the reset.
    const refused = sandbox.instrument.log.filter((r) => r.route === FACTORS && r.status === 429).length;
    expect(refused).toBeLessThanOrEqual(4);
    expect(calls(FACTORS)).toBe(signInable().length + refused);
  }, 30_000);

  it('UC-17 reads no factor without an mfa condition', async () => {
    sandbox.instrument.reset();
    const { oktaFactors: _, ...plain } = scope;
    const snapshot = await provider().snapshot(plain);
    expect(snapshot.factors).toBeUndefined();
    expect(calls(FACTORS)).toBe(0);
    expect(calls('/api/v1/logs')).toBe(0);
  });
});
