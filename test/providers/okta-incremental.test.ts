import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import type { IdpSnapshot, SnapshotScope } from '../../src/model/snapshot.js';
import { OktaProvider, readOktaConnection } from '../../src/providers/okta/index.js';
import { snapshotAll } from '../../src/providers/snapshot-all.js';
import { snapshotCachePath } from '../../src/providers/snapshot-cache.js';
import { createSandbox, type Sandbox } from '@accord/sandbox';

/** Okta reads built on the snapshot cache: what they cost, and that they equal a full read. */

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

const GROUPS = ['Sales', 'Sales Managers', 'Support', 'Salesforce Admins', 'Contractors', 'EMEA'];
const scope: SnapshotScope = {
  oktaGroups: [...GROUPS, 'No Such Group'],
  oneloginRoles: [],
  includeDeprovisioned: true,
  salesforceFields: [],
};

let sandbox: Sandbox;
let dir: string;
let cachePath: string;
const provider = () =>
  new OktaProvider(readOktaConnection(undefined, sandbox.env), { sleep: async () => undefined });
const store = () => sandbox.stores.okta;
const calls = (route?: string) => sandbox.instrument.count({ tenant: 'okta', ...(route ? { route } : {}) });

/** One read through the cache; returns the snapshot and how it was read. */
async function cachedRead(refresh: 'auto' | 'full' = 'auto') {
  sandbox.instrument.reset();
  const snapshots = await snapshotAll([provider()], scope, undefined, {
    cache: { path: cachePath, refresh },
  });
  return { snapshot: snapshots.okta!, read: snapshots.reads!.okta!, calls: calls() };
}

async function fullRead(): Promise<{ snapshot: IdpSnapshot; calls: number }> {
  sandbox.instrument.reset();
  const snapshot = await provider().snapshot(scope);
  return { snapshot, calls: calls() };
}

const content = ({ fetchedAt: _, ...rest }: IdpSnapshot) => rest;

beforeEach(async () => {
  sandbox = createSandbox({ people: 600 });
  server.resetHandlers(...sandbox.handlers);
  dir = await mkdtemp(join(tmpdir(), 'accord-incremental-'));
  cachePath = snapshotCachePath(join(dir, 'dev.state.json'));
});

describe('UC-26 incremental Okta reads', () => {
  it('puts the cache beside the state file', () => {
    expect(snapshotCachePath('state/prod.state.json')).toBe('state/prod.snapshot-cache.json');
    expect(snapshotCachePath('/x/s.json')).toBe('/x/s.json.snapshot-cache.json');
  });

  it('reads an unchanged org in exactly 2 calls (group search with Everyone, one user delta), against the full read', async () => {
    const first = await cachedRead();
    expect(first.read).toEqual({ mode: 'full', fallback: 'no snapshot cache' });
    const full = await fullRead();
    expect(first.calls).toBe(full.calls);
    const users = store().users();
    const live = users.filter((u) => u.status !== 'DEPROVISIONED').length;
    const members = GROUPS.map((n) => store().findGroupByName(n)!).reduce(
      (sum, g) => sum + Math.max(1, Math.ceil(store().memberCount(g.id) / 1000)),
      0,
    );
    // users pages + deprovisioned pages + one group search + member pages
    expect(full.calls).toBe(
      Math.ceil(live / 200) + Math.max(1, Math.ceil((users.length - live) / 200)) + 1 + members,
    );

    const second = await cachedRead();
    expect(second.read).toEqual({ mode: 'incremental' });
    expect(second.calls).toBe(2);
    expect(sandbox.instrument.count({ tenant: 'okta', method: 'GET', route: '/api/v1/users' })).toBe(1);
    expect(sandbox.instrument.count({ tenant: 'okta', method: 'GET', route: '/api/v1/groups' })).toBe(1);
    expect(content(second.snapshot)).toEqual(content(full.snapshot));
  });

  it('sees profile edits, status changes, creates, hard deletes (by falling back) and membership moves', async () => {
    await cachedRead();
    const [a, b, c] = store()
      .users()
      .filter((u) => u.status === 'ACTIVE');
    const sales = store().findGroupByName('Sales')!;
    store().updateUser(a!.id, { profile: { title: 'Edited' } });
    store().transition(b!.id, 'deactivate');
    store().addMember(sales.id, c!.id);
    store().createUser({
      profile: { login: 'n@acme.test', email: 'n@acme.test', firstName: 'N', lastName: 'N' },
      activate: true,
    });
    let read = await cachedRead();
    expect(read.read.mode).toBe('incremental');
    // one search, one delta page, Sales' members once more
    expect(read.calls).toBe(3);
    expect(content(read.snapshot)).toEqual(content((await fullRead()).snapshot));

    // Deleting the deactivated user leaves nothing to filter: Everyone's count tells.
    store().deleteUser(b!.id);
    read = await cachedRead();
    expect(read.read).toEqual({ mode: 'full', fallback: expect.stringMatching(/^Everyone has/) });
    expect(content(read.snapshot)).toEqual(content((await fullRead()).snapshot));
    expect((await cachedRead()).read.mode).toBe('incremental');
  });

  it('reads in full on --refresh=full, another scope, a tampered file, an old cache and a cursor gap', async () => {
    await cachedRead();
    expect((await cachedRead('full')).read).toEqual({ mode: 'full', fallback: '--refresh=full' });
    const other = await snapshotAll([provider()], { ...scope, oktaGroups: ['Sales'] }, undefined, {
      cache: { path: cachePath },
    });
    expect(other.reads!.okta!.fallback).toBe('the cache is for another scope or tenant');
    await cachedRead();
    const text = await readFile(cachePath, 'utf8');
    expect(text).not.toMatch(/token|secret|SSWS/i);
    await writeFile(cachePath, text.replace('Sales', 'Salez'));
    expect((await cachedRead()).read).toEqual({ mode: 'full', fallback: 'no snapshot cache' });
    const later = () => new Date(Date.now() + 25 * 3_600_000);
    const old = await snapshotAll([provider()], scope, undefined, { cache: { path: cachePath, now: later } });
    expect(old.reads!.okta!.fallback).toBe('the last full read is over 24 h old');

    // A tenant put back to an earlier state (here: a fresh seed behind the same URL) has nothing
    // at the cursor: the edit made before is not silently kept.
    store().updateUser(store().users()[0]!.id, { profile: { title: 'Edited' } });
    await cachedRead();
    const env = sandbox.env;
    sandbox = createSandbox({ people: 600 });
    expect(sandbox.env).toEqual(env);
    server.resetHandlers(...sandbox.handlers);
    const back = await cachedRead();
    expect(back.read.fallback).toMatch(/^cursor gap/);
    expect(content(back.snapshot)).toEqual(content((await fullRead()).snapshot));
  });
});
