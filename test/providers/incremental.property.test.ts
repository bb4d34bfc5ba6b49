import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { setupServer } from 'msw/node';
import type { IdpSnapshot } from '../../src/model/snapshot.js';
import type { Policy } from '../../src/policy/policy.js';
import { snapshotScope } from '../../src/providers/scope.js';
import { snapshotAll } from '../../src/providers/snapshot-all.js';
import { createSandbox, type Sandbox } from '@accord/sandbox';
import { loadDemoPolicy } from '../support/demo.js';
import { planLines, providersOf, scratchCaches, tenantAndRounds } from './incremental-support.js';

/**
 * UC-26: for random small tenants and random sequences of edits made through the sandbox's own
 * store, the plan from the incremental Okta snapshot (built on the snapshot cache) equals the plan
 * from a fresh full snapshot, after every edit. The snapshots themselves must be equal too.
 */

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

type Edit =
  | { kind: 'create'; n: number }
  | { kind: 'profile'; pick: number; title: string }
  | { kind: 'deactivate' | 'delete' | 'suspend' | 'reactivate'; pick: number }
  | { kind: 'add' | 'remove'; pick: number; group: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), n: fc.nat(1_000_000) }),
  fc.record({
    kind: fc.constant('profile' as const),
    pick: fc.nat(),
    title: fc.constantFrom('Rep', 'Manager', 'Engineer'),
  }),
  fc.record({
    kind: fc.constantFrom(
      'deactivate' as const,
      'delete' as const,
      'suspend' as const,
      'reactivate' as const,
    ),
    pick: fc.nat(),
  }),
  fc.record({ kind: fc.constantFrom('add' as const, 'remove' as const), pick: fc.nat(), group: fc.nat() }),
);

function applyEdit(sandbox: Sandbox, groupNames: string[], e: Edit): void {
  const store = sandbox.stores.okta;
  const users = store.users();
  const user = users[('pick' in e ? e.pick : 0) % users.length]!;
  try {
    switch (e.kind) {
      case 'create': {
        const login = `p${e.n}@acme.test`;
        if (!store.findUserByLogin(login))
          store.createUser({
            profile: { login, email: login, firstName: 'P', lastName: String(e.n) },
            activate: true,
          });
        return;
      }
      case 'profile':
        store.updateUser(user.id, { profile: { title: e.title } });
        return;
      case 'deactivate':
        if (user.status !== 'DEPROVISIONED') store.transition(user.id, 'deactivate');
        return;
      case 'delete':
        store.deleteUser(user.id);
        return;
      case 'suspend':
        if (user.status === 'ACTIVE') store.transition(user.id, 'suspend');
        return;
      case 'reactivate':
        if (user.status === 'DEPROVISIONED') store.transition(user.id, 'activate');
        else if (user.status === 'SUSPENDED') store.transition(user.id, 'unsuspend');
        return;
      case 'add':
      case 'remove': {
        const group = store.findGroupByName(groupNames[e.group % groupNames.length]!);
        if (!group) return;
        if (e.kind === 'add') store.addMember(group.id, user.id, { force: true });
        else store.removeMember(group.id, user.id, { force: true });
        return;
      }
    }
  } catch {
    // An edit the org refuses (a transition its status does not allow) changes nothing.
  }
}

const content = ({ fetchedAt: _, ...rest }: IdpSnapshot) => rest;

describe('UC-26 incremental equals full (property)', () => {
  let policy: Policy;
  beforeAll(async () => {
    policy = await loadDemoPolicy();
  });

  it('plans the same changes from an incremental Okta snapshot as from a full one, after every edit', async () => {
    const scope = snapshotScope(policy);
    const plan = planLines(policy);
    const caches = scratchCaches('accord-prop-');
    let incrementalReads = 0;
    await fc
      .assert(
        fc.asyncProperty(...tenantAndRounds(edit), async (people, seed, rounds) => {
          const sandbox = createSandbox({ people, seed });
          server.resetHandlers(...sandbox.handlers);
          const { mine: okta, others: rest } = providersOf(policy, sandbox, (id) => id === 'okta');
          const cache = await caches.next();
          const others = await snapshotAll(rest(), scope);
          await snapshotAll(okta(), scope, undefined, { cache });
          for (const round of rounds) {
            for (const e of round) applyEdit(sandbox, scope.oktaGroups, e);
            const viaCache = await snapshotAll(okta(), scope, undefined, { cache });
            if (viaCache.reads?.okta?.mode === 'incremental') incrementalReads++;
            const full = await snapshotAll(okta(), scope);
            expect(content(viaCache.okta!)).toEqual(content(full.okta!));
            expect(viaCache.fingerprints!.okta).toBe(full.fingerprints!.okta);
            expect(plan({ ...others, okta: viaCache.okta! })).toEqual(plan({ ...others, okta: full.okta! }));
          }
        }),
        { seed: 20_261_123, numRuns: 25 },
      )
      .finally(caches.removeAll);
    // The property is only worth something if most reads really were incremental.
    expect(incrementalReads).toBeGreaterThan(10);
  }, 120_000);
});
