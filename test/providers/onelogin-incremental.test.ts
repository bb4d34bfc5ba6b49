import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { setupServer } from 'msw/node';
import { sha256 } from '../../src/model/canonical-json.js';
import type { IdpSnapshot } from '../../src/model/snapshot.js';
import type { Policy } from '../../src/policy/policy.js';
import { OneLoginProvider } from '../../src/providers/onelogin/index.js';
import { snapshotScope } from '../../src/providers/scope.js';
import { snapshotAll } from '../../src/providers/snapshot-all.js';
import { createSandbox, type Sandbox } from '@accord/sandbox';
import { loadDemoPolicy } from '../support/demo.js';
import { planLines, providersOf, scratchCaches, tenantAndRounds } from './incremental-support.js';

/**
 * UC-26, OneLogin: users by `updated_since` on the snapshot cache (a Total-Count check for
 * deletes), role member lists only where OneLogin's events (72, 73) say membership moved. What it
 * costs, and that it equals a full read after random edits (role membership and roles made again).
 */

const server = setupServer();
let policy: Policy;
beforeAll(async () => {
  server.listen({ onUnhandledFrame: 'error' });
  policy = await loadDemoPolicy();
});
afterAll(() => server.close());

const content = ({ fetchedAt: _, ...rest }: IdpSnapshot) => rest;
const timing = { sleep: async () => undefined };

type Edit =
  | { kind: 'create'; n: number }
  | { kind: 'title' | 'suspend' | 'activate' | 'delete' | 'manager'; pick: number; other: number }
  | { kind: 'add' | 'remove' | 'recreate'; pick: number; role: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), n: fc.nat(1_000_000) }),
  fc.record({
    kind: fc.constantFrom(
      'title' as const,
      'suspend' as const,
      'activate' as const,
      'delete' as const,
      'manager' as const,
    ),
    pick: fc.nat(),
    other: fc.nat(),
  }),
  fc.record({
    kind: fc.constantFrom('add' as const, 'remove' as const, 'recreate' as const),
    pick: fc.nat(),
    role: fc.nat(),
  }),
);

function applyEdit(sandbox: Sandbox, roleNames: string[], e: Edit): void {
  const store = sandbox.stores.onelogin;
  const users = store.users();
  if (users.length === 0) return;
  const user = users[('pick' in e ? e.pick : 0) % users.length]!;
  try {
    switch (e.kind) {
      case 'create':
        store.createUser({
          username: `inc${e.n}@globex.test`,
          email: `inc${e.n}@globex.test`,
          lastname: 'I',
        });
        return;
      case 'title':
        store.updateUser(user.id, { title: `Title ${e.other % 5}` });
        return;
      case 'suspend':
      case 'activate':
        store.updateUser(user.id, { status: e.kind === 'suspend' ? 2 : 1 });
        return;
      case 'manager':
        store.updateUser(user.id, { manager_user_id: users[e.other % users.length]!.id });
        return;
      case 'delete':
        store.deleteUser(user.id);
        return;
      case 'add':
      case 'remove':
      case 'recreate': {
        const role = store.findRoleByName(roleNames[e.role % roleNames.length]!);
        if (!role) return;
        if (e.kind === 'add') store.addRoleUsers(role.id, [user.id]);
        else if (e.kind === 'remove') store.removeRoleUsers(role.id, [user.id]);
        else {
          // Deleted and made again under the same name: a new id, new members.
          store.deleteRole(role.id);
          const again = store.createRole({ name: role.name });
          store.addRoleUsers(again.id, [user.id]);
        }
        return;
      }
    }
  } catch {
    // An edit the account refuses changes nothing.
  }
}

describe('UC-26 incremental OneLogin reads', () => {
  let sandbox: Sandbox;
  let cachePath: string;
  const provider = () => new OneLoginProvider({ env: sandbox.env, timing });
  const calls = () => sandbox.instrument.count({ tenant: 'onelogin' });
  const read = async (cache: boolean) => {
    sandbox.instrument.reset();
    const scope = snapshotScope(policy);
    const s = await snapshotAll([provider()], scope, undefined, cache ? { cache: { path: cachePath } } : {});
    return {
      snapshot: s.onelogin!,
      read: s.reads?.onelogin,
      fingerprint: s.fingerprints!.onelogin,
      calls: calls(),
    };
  };

  beforeEach(async () => {
    sandbox = createSandbox({ people: 3000 });
    server.resetHandlers(...sandbox.handlers);
    cachePath = join(await mkdtemp(join(tmpdir(), 'accord-ol-inc-')), 'cache.json');
  });

  it('reads an unchanged account with one user delta, one count, one events call and no member list', async () => {
    const scope = snapshotScope(policy);
    const roles = scope.oneloginRoles.filter((n) => sandbox.stores.onelogin.findRoleByName(n)).length;
    const first = await read(true);
    expect(first.read).toEqual({ mode: 'full', fallback: 'no snapshot cache' });
    const full = await read(false);
    const users = sandbox.stores.onelogin.userCount;
    expect(users).toBeGreaterThan(300);
    // token + user pages + roles list + one page per role
    expect(full.calls).toBe(1 + Math.ceil(users / 100) + 1 + roles);
    // A read that keeps a cache pulls the events once too: where the next read starts.
    expect(first.calls).toBe(full.calls + 1);
    expect(sandbox.instrument.count({ tenant: 'onelogin', route: '/api/1/events' })).toBe(0);

    const second = await read(true);
    expect(second.read).toEqual({ mode: 'incremental' });
    // token + user delta + Total-Count + roles list + events; no member list (nothing moved)
    expect(second.calls).toBe(1 + 1 + 1 + 1 + 1);
    expect(sandbox.instrument.count({ tenant: 'onelogin', route: '/api/2/roles/:id/users' })).toBe(0);
    expect(content(second.snapshot)).toEqual(content(full.snapshot));
    expect(second.fingerprint).toBe(full.fingerprint);
  });

  it('re-reads only the roles a membership event names, new roles, and every role on a gap', async () => {
    const scope = snapshotScope(policy);
    const existing = scope.oneloginRoles.filter((n) => sandbox.stores.onelogin.findRoleByName(n));
    expect(existing.length).toBeGreaterThan(1);
    const memberReads = () =>
      sandbox.instrument.count({ tenant: 'onelogin', route: '/api/2/roles/:id/users' });
    await read(true);
    // One member added to the first role (event 72): that role's list only.
    applyEdit(sandbox, existing, { kind: 'add', pick: 11, role: 0 });
    let r = await read(true);
    expect(r.read).toEqual({ mode: 'incremental' });
    expect(memberReads()).toBe(1);
    expect(content(r.snapshot)).toEqual(content((await read(false)).snapshot));
    // A role deleted and made again under its name: a new id, read as new.
    applyEdit(sandbox, existing, { kind: 'recreate', pick: 12, role: 1 });
    r = await read(true);
    expect(memberReads()).toBe(1);
    expect(content(r.snapshot)).toEqual(content((await read(false)).snapshot));
    // A deleted user leaves no membership event: dropped from the kept lists, no member read.
    const member = sandbox.stores.onelogin.roleMemberIds(
      sandbox.stores.onelogin.findRoleByName(existing[0]!)!.id,
    )[0]!;
    sandbox.stores.onelogin.deleteUser(member);
    r = await read(true);
    expect(memberReads()).toBe(0);
    expect(content(r.snapshot)).toEqual(content((await read(false)).snapshot));
    expect((await read(true)).calls).toBe(1 + 1 + 1 + 1 + 1);
    // A gap in the events (the log no longer holds where the last pull ended): every role again.
    const file = JSON.parse(await readFile(cachePath, 'utf8')) as {
      digest: string;
      platforms: { onelogin: { base: { events: Record<string, string | number> } } };
    };
    file.platforms.onelogin.base.events = { since: file.platforms.onelogin.base.events.since!, lastId: 1 };
    file.digest = sha256(JSON.stringify(file.platforms));
    await writeFile(cachePath, JSON.stringify(file));
    r = await read(true);
    expect(r.read).toEqual({ mode: 'incremental' });
    expect(memberReads()).toBe(existing.length);
    expect(content(r.snapshot)).toEqual(content((await read(false)).snapshot));
  });

  it('sees edits and role moves incrementally, and reads in full after a delete or a gap', async () => {
    const scope = snapshotScope(policy);
    await read(true);
    applyEdit(sandbox, scope.oneloginRoles, { kind: 'title', pick: 3, other: 1 });
    applyEdit(sandbox, scope.oneloginRoles, { kind: 'suspend', pick: 4, other: 0 });
    applyEdit(sandbox, scope.oneloginRoles, { kind: 'create', n: 7 });
    applyEdit(sandbox, scope.oneloginRoles, { kind: 'add', pick: 5, role: 0 });
    let r = await read(true);
    expect(r.read).toEqual({ mode: 'incremental' });
    expect(content(r.snapshot)).toEqual(content((await read(false)).snapshot));

    applyEdit(sandbox, scope.oneloginRoles, { kind: 'delete', pick: 9, other: 0 });
    r = await read(true);
    expect(r.read).toEqual({ mode: 'full', fallback: expect.stringMatching(/^OneLogin has \d+ users/) });
    expect(content(r.snapshot)).toEqual(content((await read(false)).snapshot));
    expect((await read(true)).read).toEqual({ mode: 'incremental' });

    // A fresh seed behind the same URL: the edit made before is not silently kept.
    applyEdit(sandbox, scope.oneloginRoles, { kind: 'title', pick: 2, other: 3 });
    await read(true);
    sandbox = createSandbox({ people: 3000 });
    server.resetHandlers(...sandbox.handlers);
    r = await read(true);
    expect(r.read?.fallback).toMatch(/^cursor gap/);
    expect(content(r.snapshot)).toEqual(content((await read(false)).snapshot));
  });
});

describe('UC-26 incremental equals full, OneLogin (property)', () => {
  it('plans the same changes from an incremental OneLogin snapshot as from a full one, after every edit', async () => {
    const scope = snapshotScope(policy);
    const plan = planLines(policy);
    const caches = scratchCaches('accord-ol-prop-');
    let incrementalReads = 0;
    let reads = 0;
    await fc
      .assert(
        fc.asyncProperty(...tenantAndRounds(edit), async (people, seed, rounds) => {
          const sandbox = createSandbox({ people, seed });
          server.resetHandlers(...sandbox.handlers);
          const { mine: onelogin, others: rest } = providersOf(policy, sandbox, (id) => id === 'onelogin');
          const cache = await caches.next();
          const others = await snapshotAll(rest(), scope);
          await snapshotAll(onelogin(), scope, undefined, { cache });
          for (const round of rounds) {
            for (const e of round) applyEdit(sandbox, scope.oneloginRoles, e);
            const viaCache = await snapshotAll(onelogin(), scope, undefined, { cache });
            reads++;
            if (viaCache.reads?.onelogin?.mode === 'incremental') incrementalReads++;
            const full = await snapshotAll(onelogin(), scope);
            expect(content(viaCache.onelogin!)).toEqual(content(full.onelogin!));
            expect(viaCache.fingerprints!.onelogin).toBe(full.fingerprints!.onelogin);
            expect(plan({ ...others, onelogin: viaCache.onelogin! })).toEqual(
              plan({ ...others, onelogin: full.onelogin! }),
            );
          }
        }),
        { seed: 20_261_205, numRuns: 25 },
      )
      .finally(caches.removeAll);
    // Deletes read in full; most reads must still have been incremental for this to mean much.
    expect(incrementalReads).toBeGreaterThan(reads / 2);
  }, 180_000);
});
