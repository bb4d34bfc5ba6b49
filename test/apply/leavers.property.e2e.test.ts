/**
 * Nobody keeps access they should lose (issue 14, UC-06, UC-11), as a property: on a random
 * company, after random status changes in Okta and OneLogin and an `accord apply` over real HTTP,
 * - no leaver (home account suspended, deprovisioned, or deleted after accord linked them) keeps
 *   an active, unfrozen Salesforce user or an active account in the other IdP, unless protected
 *   or named by a blocking finding (an ambiguous account accord will not guess);
 * - and a fresh plan is empty, so nobody who stays has less than the policy gives.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Sandbox } from '@accord/sandbox';
import { matchesAnyGlob } from '../../src/compile/conditions.js';
import { readState } from '../../src/state/state-file.js';
import { demoPolicy, describeChanges, freshPlan, loopbackSandbox, scratch } from './support/harness.js';
import { applyInProcess } from './support/in-process.js';

const STATUS_CHANGES = [
  'suspend',
  'deactivate',
  'delete',
  'lock',
  'onelogin-suspend',
  'onelogin-leave',
] as const;
type StatusChange = [(typeof STATUS_CHANGES)[number], number];

const apply = (sandbox: Sandbox, dir: ReturnType<typeof scratch>) => applyInProcess(sandbox, dir);

/** Makes the changes (to distinct people, chosen by index); returns what each did. */
function changeStatuses(
  sandbox: Sandbox,
  steps: readonly StatusChange[],
  linked: ReadonlySet<string>,
): string[] {
  const { okta, onelogin } = sandbox.stores;
  const done: string[] = [];
  const touched = new Set<string>();
  const pick = <T>(items: T[], key: (t: T) => string, n: number) => {
    const free = items.filter((t) => !touched.has(key(t))).sort((a, b) => key(a).localeCompare(key(b)));
    const chosen = free[n % Math.max(free.length, 1)];
    if (chosen) touched.add(key(chosen));
    return chosen;
  };
  for (const [kind, n] of steps) {
    if (kind.startsWith('onelogin-')) {
      const user = pick(
        onelogin.users().filter((u) => u.status === 1),
        (u) => u.username ?? String(u.id),
        n,
      );
      if (!user) continue;
      onelogin.updateUser(
        user.id,
        kind === 'onelogin-suspend' ? { status: 2, state: 1 } : { status: 2, state: 3 },
      );
      done.push(`onelogin ${kind}: ${user.username}`);
      continue;
    }
    // Deletion is only a departure accord can know of for people it linked before.
    const candidates = okta
      .users()
      .filter(
        (u) => u.status === 'ACTIVE' && (kind !== 'delete' || linked.has(u.profile.login.toLowerCase())),
      );
    const user = pick(candidates, (u) => u.profile.login, n);
    if (!user) continue;
    if (kind === 'suspend') okta.transition(user.id, 'suspend');
    else if (kind === 'deactivate') okta.transition(user.id, 'deactivate');
    else if (kind === 'lock') okta.setStatus(user.id, 'LOCKED_OUT');
    else {
      okta.deleteUser(user.id);
      okta.deleteUser(user.id);
    }
    done.push(`okta ${kind}: ${user.profile.login}`);
  }
  return done;
}

/** Leavers who still hold an active, unfrozen Salesforce user or an active account in the other IdP. */
async function leaversWithAccess(
  sandbox: Sandbox,
  deleted: ReadonlySet<string>,
  exempt: ReadonlySet<string>,
): Promise<string[]> {
  const policy = await demoPolicy();
  const patterns = policy.guardrails.protectedAccounts ?? [];
  const { okta, onelogin, salesforce } = sandbox.stores;
  const oktaByLogin = new Map(okta.users().map((u) => [u.profile.login.toLowerCase(), u]));
  const oneloginByName = new Map(onelogin.users().map((u) => [(u.username ?? '').toLowerCase(), u]));
  const globex = (login: string) => login.endsWith('@globex.test');
  // Each person once, by home login: Okta people, and Globex people whose home is OneLogin.
  const people = new Set([...oktaByLogin.keys()].filter((l) => !globex(l)));
  for (const l of oneloginByName.keys()) if (globex(l)) people.add(l);
  const left = (login: string) => {
    if (globex(login)) return oneloginByName.get(login)?.status !== 1;
    const status = oktaByLogin.get(login)?.status;
    return status === undefined || status === 'SUSPENDED' || status === 'DEPROVISIONED';
  };
  const out: string[] = [];
  for (const store of Object.values(salesforce)) {
    const frozen = new Set(
      store
        .records('UserLogin')
        .filter((l) => l.IsFrozen === true)
        .map((l) => l.UserId),
    );
    for (const u of store.records('User')) {
      const person = String(u.FederationIdentifier ?? '').toLowerCase();
      if (!person || u.IsActive !== true || frozen.has(u.Id) || exempt.has(person)) continue;
      if (matchesAnyGlob(String(u.Username), patterns) || matchesAnyGlob(person, patterns)) continue;
      if ((people.has(person) && left(person)) || deleted.has(person))
        out.push(`${store.org}: ${String(u.Username)} is active and unfrozen, but ${person} left`);
    }
  }
  for (const login of people) {
    if (!left(login) || exempt.has(login) || matchesAnyGlob(login, patterns)) continue;
    const other = globex(login) ? oktaByLogin.get(login)?.status : oneloginByName.get(login)?.status;
    if (other === 'ACTIVE' || other === 1)
      out.push(`${login} left, but their ${globex(login) ? 'okta' : 'onelogin'} account is active`);
  }
  return out.sort();
}

describe('leavers keep nothing (property, issue 14)', () => {
  it('after random status changes and an apply, no leaver keeps access and a fresh plan is empty', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 100_000 }),
          people: fc.integer({ min: 60, max: 100 }),
          steps: fc.array(fc.tuple(fc.constantFrom(...STATUS_CHANGES), fc.nat(500)), {
            minLength: 1,
            maxLength: 6,
          }),
        }),
        async ({ seed, people, steps }) => {
          const sandbox = await loopbackSandbox({ people, seed });
          const dir = scratch('leavers');
          try {
            expect((await apply(sandbox, dir)).status).toBe(0);
            const linked = new Set(
              Object.keys((await readState(dir.state)).links).map((k) => k.toLowerCase()),
            );
            const done = changeStatuses(sandbox, steps, linked);
            const deleted = new Set(
              done
                .filter((d) => d.startsWith('okta delete: '))
                .map((d) => d.slice('okta delete: '.length).toLowerCase()),
            );
            const run = await apply(sandbox, dir);
            const context = { seed, people, done, stderr: run.stderr.slice(-1500) };
            expect({ ...context, status: run.status }).toEqual({ ...context, status: 0 });
            const again = await freshPlan(sandbox, dir.state);
            const exempt = new Set(
              again.findings
                .filter((f) => f.severity === 'block' && f.person)
                .map((f) => f.person!.toLowerCase()),
            );
            expect({ ...context, holding: await leaversWithAccess(sandbox, deleted, exempt) }).toEqual({
              ...context,
              holding: [],
            });
            expect({ ...context, changes: describeChanges(again) }).toEqual({ ...context, changes: [] });
          } finally {
            await sandbox.close();
            dir.remove();
          }
        },
      ),
      { seed: 20261203, numRuns: 5, endOnFailure: true },
    );
  }, 180_000);
});
