import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { sha256 } from '../../src/model/canonical-json.js';
import type { SnapshotScope } from '../../src/model/snapshot.js';
import { fromOneLogin } from '../../src/events/normalize.js';
import { OneLoginProvider } from '../../src/providers/onelogin/index.js';
import { snapshotAll } from '../../src/providers/snapshot-all.js';
import { snapshotCachePath } from '../../src/providers/snapshot-cache.js';
import { createSandbox, type Sandbox } from '@accord/sandbox';

/**
 * UC-17, OneLogin: MFA devices read through the got client (`GET /api/2/mfa/users/{id}/devices`),
 * one call per account that can sign in on a full read, none on an unchanged account built on the
 * snapshot cache (one events call instead), and exactly the accounts a device event (23, 24) names.
 */

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

const scope: SnapshotScope = {
  oktaGroups: [],
  oneloginRoles: ['Globex Sales'],
  includeDeprovisioned: true,
  oneloginFactors: true,
  salesforceFields: [],
};
const DEVICES = '/api/2/mfa/users/:user_id/devices';
const EVENTS = '/api/1/events';

let sandbox: Sandbox;
let dir: string;
let cachePath: string;
const store = () => sandbox.stores.onelogin;
const provider = () => new OneLoginProvider({ env: sandbox.env, timing: { sleep: async () => undefined } });
const calls = (route: string) => sandbox.instrument.count({ tenant: 'onelogin', route });

async function read(refresh: 'auto' | 'full' = 'auto') {
  sandbox.instrument.reset();
  const snapshots = await snapshotAll([provider()], scope, undefined, {
    cache: { path: cachePath, refresh },
  });
  return {
    snapshot: snapshots.onelogin!,
    mode: snapshots.reads!.onelogin!.mode,
    deviceCalls: calls(DEVICES),
    eventCalls: calls(EVENTS),
  };
}

/** Not staged (status 0), not a leaver (suspended and unlicensed). */
const covered = () =>
  store()
    .users()
    .filter((u) => u.status !== 0 && !(u.status === 2 && u.state === 3));
const key = (id: number) => String(id);

beforeEach(async () => {
  sandbox = createSandbox({ people: 600 });
  server.resetHandlers(...sandbox.handlers);
  dir = await mkdtemp(join(tmpdir(), 'accord-ol-devices-'));
  cachePath = snapshotCachePath(join(dir, 'dev.state.json'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('UC-17 OneLogin MFA devices', () => {
  it('UC-17 OneLogin: one device call per covered account, then 0 on an unchanged account', async () => {
    const first = await read();
    const all = covered();
    expect(all.length).toBeGreaterThan(20);
    expect(first.mode).toBe('full');
    expect(first.deviceCalls).toBe(all.length);
    expect(Object.keys(first.snapshot.factors!).sort()).toEqual(all.map((u) => key(u.id)).sort());
    for (const u of all) {
      const active = [
        ...new Set(
          store()
            .devices.of(u.id)
            .filter((d) => d.active)
            .map((d) => d.auth_factor_name),
        ),
      ].sort();
      expect(first.snapshot.factors![key(u.id)]).toEqual({
        active,
        graceFrom: u.activated_at ?? u.created_at,
      });
    }
    // Most of the demo registered a device; some never did, some left one never used.
    const without = all.filter((u) => first.snapshot.factors![key(u.id)]!.active.length === 0);
    expect(without.length).toBeGreaterThan(0);
    expect(without.length).toBeLessThan(all.length / 4);
    expect(
      all.some((u) =>
        store()
          .devices.of(u.id)
          .some((d) => !d.active),
      ),
    ).toBe(true);

    const second = await read();
    expect(second.mode).toBe('incremental');
    expect(second.deviceCalls).toBe(0);
    expect(second.eventCalls).toBe(1);
    expect(second.snapshot.factors).toEqual(first.snapshot.factors);
  });

  it('UC-17 OneLogin: an enrolment and a removal are seen through the events (23, 24), only those users read', async () => {
    const first = await read();
    const all = covered();
    const without = all.find((u) => first.snapshot.factors![key(u.id)]!.active.length === 0)!;
    const withProtect = all.find((u) => first.snapshot.factors![key(u.id)]!.active.includes('OneLogin'))!;
    const had = store().devices.of(withProtect.id).length;
    const registered = store().devices.enroll(without.id, 'Google Authenticator');
    store().devices.removeAll(withProtect.id);
    // The events the sandbox logged, as `accord events pull` normalises them.
    const logged = store()
      .events.all()
      .filter((e) => e.user_id === without.id || e.user_id === withProtect.id);
    expect(logged.map((e) => e.event_type_id)).toEqual([23, ...Array<number>(had).fill(24)]);
    expect(fromOneLogin(logged[0])?.sourceType).toBe('event_type_id:23');
    expect(fromOneLogin(logged[1])?.type).toBe('auth.factor.reset');
    expect(logged[0]!.otp_device_id).toBe(registered.device_id);

    const second = await read();
    expect(second.mode).toBe('incremental');
    expect(second.deviceCalls).toBe(2);
    expect(second.snapshot.factors![key(without.id)]!.active).toEqual(['Google Authenticator']);
    expect(second.snapshot.factors![key(withProtect.id)]!.active).toEqual([]);
    expect((await read()).deviceCalls).toBe(0);
  });

  it('UC-17 OneLogin: a new account is read; a leaver is dropped and read again when back', async () => {
    await read();
    const created = store().createUser({
      username: 'new.hire@globex.test',
      email: 'new.hire@globex.test',
      status: 1,
    });
    const leaver = covered().find((u) => u.id !== created.id)!;
    store().updateUser(leaver.id, { status: 2, state: 3 });
    const next = await read();
    expect(next.deviceCalls).toBe(1);
    expect(next.snapshot.factors![key(created.id)]).toEqual({
      active: [],
      graceFrom: store().user(created.id)!.activated_at ?? created.created_at,
    });
    expect(next.snapshot.factors![key(leaver.id)]).toBeUndefined();
    store().updateUser(leaver.id, { status: 1, state: 1 });
    const back = await read();
    expect(back.deviceCalls).toBe(1);
    expect(back.snapshot.factors![key(leaver.id)]).toBeDefined();
  });

  it('UC-17 OneLogin: --refresh full, a tampered cache and an events gap read every account again', async () => {
    await read();
    const n = covered().length;
    expect((await read('full')).deviceCalls).toBe(n);
    expect((await read()).deviceCalls).toBe(0);
    // The log no longer holds the event the last pull ended on: a gap.
    store().devices.enroll(covered()[0]!.id);
    await read();
    const file = JSON.parse(await readFile(cachePath, 'utf8')) as {
      digest: string;
      platforms: { onelogin: { base: { events: Record<string, string | number> } } };
    };
    expect(file.platforms.onelogin.base.events.lastId).toBeDefined();
    file.platforms.onelogin.base.events.lastId = 1;
    file.digest = sha256(JSON.stringify(file.platforms));
    await writeFile(cachePath, JSON.stringify(file));
    const gap = await read();
    expect(gap.mode).toBe('incremental');
    expect(gap.deviceCalls).toBe(n);
    expect((await read()).deviceCalls).toBe(0);
  });

  it('UC-17 OneLogin: no device call and no events call without an mfa condition or a cache', async () => {
    sandbox.instrument.reset();
    const { oneloginFactors: _, ...plain } = scope;
    const snapshot = await provider().snapshot(plain);
    expect(snapshot.factors).toBeUndefined();
    expect(calls(DEVICES)).toBe(0);
    expect(calls(EVENTS)).toBe(0);
  });

  it('UC-17 OneLogin: device reads are paced on the account budget and retried after a 429', async () => {
    store().rateLimit.limitPerHour = 40;
    let waited = 0;
    const paced = new OneLoginProvider({
      env: sandbox.env,
      timing: {
        sleep: async (ms) => {
          waited += ms;
          // The hour passes at once: the window opens again.
          store().rateLimit.reset();
        },
      },
    });
    sandbox.instrument.reset();
    const snapshot = await paced.snapshot(scope);
    expect(Object.keys(snapshot.factors!)).toHaveLength(covered().length);
    expect(waited).toBeGreaterThan(0);
  });
});
