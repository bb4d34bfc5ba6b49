/**
 * `accord reconcile` (UC-05, UC-26; issue 16 item 2) against the sandbox through the real clients,
 * in a git repository of its own (the last applied policy is read at its commit): self-heal
 * applies a leaver and reverts a hand-made grant, report mode changes nothing, a merged policy
 * change is left to its apply while the leaver is not kept waiting, and a guard rail or an
 * environment never applied blocks with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import type { Sandbox } from '@accord/sandbox';
import { createRecord } from '@accord/sandbox';
import type { ReconcileView } from '../../src/render/reconcile.js';
import { readState } from '../../src/state/state-file.js';
import { loopbackSandbox, policiesDir, scratch, writeRequests } from './support/harness.js';
import { accordInProcess } from './support/in-process.js';

let sandbox: Sandbox;
let dir: ReturnType<typeof scratch>;
/** The access repository: policies only (state and audit are beside it, as on their own branch). */
let repo: string;
const paths = () => ['--state', dir.state, '--audit', dir.audit];

const reconcile = async (...flags: string[]) => {
  const run = await accordInProcess(sandbox, ['reconcile', '-f', 'json', ...paths(), ...flags], {
    cwd: repo,
  });
  if (run.stdout === '') throw new Error(`reconcile printed nothing: ${run.stderr}`);
  return { status: run.status, view: JSON.parse(run.stdout) as ReconcileView, stderr: run.stderr };
};
const addresses = (entries: { change: { action: string; address: string } }[]) =>
  entries.map((e) => `${e.change.action} ${e.change.address}`);

/** Okta people who are active, in Sales and linked to a production Salesforce user, by login. */
async function activeSalesPeople(): Promise<string[]> {
  const okta = sandbox.stores.okta;
  const state = await readState(dir.state);
  const sales = okta.findGroupByName('Sales')!;
  return okta
    .users()
    .filter(
      (u) =>
        u.status === 'ACTIVE' &&
        okta.isMember(sales.id, u.id) &&
        state.links[u.profile.login]?.['salesforce:prod'] !== undefined,
    )
    .map((u) => u.profile.login)
    .sort();
}
const leave = (login: string) =>
  sandbox.stores.okta.transition(sandbox.stores.okta.findUserByLogin(login)!.id, 'deactivate');

beforeAll(async () => {
  sandbox = await loopbackSandbox({ people: 60, seed: 16 });
  dir = scratch('reconcile');
  repo = join(dir.dir, 'repo');
  cpSync(policiesDir, join(repo, 'policies'), { recursive: true });
  const platforms = join(repo, 'policies', 'platforms.json');
  const doc = JSON.parse(readFileSync(platforms, 'utf8')) as { settings: Record<string, unknown> };
  doc.settings.reconcile = 'self-heal';
  writeFileSync(platforms, JSON.stringify(doc, null, 2));
  const git = simpleGit({ baseDir: repo });
  await git.init().addConfig('user.email', 'test@acme.test').addConfig('user.name', 'test');
  await git.add('.').commit('policy');
});
afterAll(async () => {
  await sandbox.close();
  dir.remove();
});

describe('UC-26 reconcile on a schedule', () => {
  it('self-heal in an environment never applied is blocked (exit 4) and writes nothing', async () => {
    const before = writeRequests(sandbox).length;
    const { status, view } = await reconcile();
    expect(status).toBe(4);
    expect(view).toMatchObject({ mode: 'self-heal', status: 'blocked' });
    expect(view.blockedReasons.join()).toContain('nothing has been applied in this environment yet');
    expect(view.found.pending.length).toBeGreaterThan(0);
    expect(writeRequests(sandbox).length).toBe(before);
  });

  it('after the first (reviewed) apply, a reconcile is clean (exit 0)', async () => {
    process.env.ACCORD_OVERRIDE_REASON = 'SEC-7: first import of the estate';
    const apply = await accordInProcess(
      sandbox,
      ['apply', '--auto-approve', '--allow-large-change', ...paths()],
      { cwd: repo },
    );
    delete process.env.ACCORD_OVERRIDE_REASON;
    expect(apply.status).toBe(0);
    const { status, view } = await reconcile();
    expect({ status, state: view.status, applied: view.applied?.counts.applied ?? 0 }).toEqual({
      status: 0,
      state: 'clean',
      applied: 0,
    });
  });

  it('self-heal applies a leaver (lifecycle) and reverts a hand-made grant (drift), then converges', async () => {
    const [leaver] = await activeSalesPeople();
    leave(leaver!);
    const prod = sandbox.stores.salesforce.prod!;
    const state = await readState(dir.state);
    const other = (await activeSalesPeople())[0]!;
    const username = state.links[other]!['salesforce:prod']!;
    const user = prod
      .records('User')
      .find((u) => String(u.Username).toLowerCase() === username.toLowerCase())!;
    const set = prod.records('PermissionSet').find((p) => p.Name === 'API_Only')!;
    createRecord(prod, 'PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: set.Id });

    const { status, view } = await reconcile();
    expect(view.status).toBe('healed');
    expect(status).toBe(0);
    expect(addresses(view.found.drift)).toEqual([
      `revoke salesforce.prod.user[${JSON.stringify(String(user.Username))}].permissionSet["API_Only"]`,
    ]);
    expect(new Set(view.found.lifecycle.map((e) => e.change.person))).toEqual(new Set([leaver]));
    expect(view.found.lifecycle.map((e) => e.change.action)).toContain('deactivate');
    expect(view.applied).toMatchObject({ counts: { failed: 0 }, remaining: 0 });
    expect(view.applied!.counts.applied).toBe(view.found.drift.length + view.found.lifecycle.length);
    expect(
      prod
        .records('PermissionSetAssignment')
        .some((a) => a.AssigneeId === user.Id && a.PermissionSetId === set.Id),
    ).toBe(false);

    const drift = await accordInProcess(sandbox, ['drift', '-f', 'json', '--state', dir.state], {
      cwd: repo,
    });
    expect(drift.status).toBe(0);
  });

  it('--report-only changes nothing and reports lifecycle work (exit 3)', async () => {
    const [leaver] = await activeSalesPeople();
    leave(leaver!);
    const before = writeRequests(sandbox).length;
    const { status, view } = await reconcile('--report-only');
    expect({ status, mode: view.mode, state: view.status }).toEqual({
      status: 3,
      mode: 'report',
      state: 'pending',
    });
    expect(new Set(view.found.lifecycle.map((e) => e.change.person))).toEqual(new Set([leaver]));
    expect(view.applied).toBeUndefined();
    expect(writeRequests(sandbox).length).toBe(before);
  });

  it('a merged policy change no apply ran is left to its apply (exit 3), and the leaver is not kept waiting for it', async () => {
    const sales = join(repo, 'policies', 'access', 'sales.json');
    const doc = JSON.parse(readFileSync(sales, 'utf8')) as {
      access: { id: string; grants: { prod: { permissionSets?: string[] } } }[];
    };
    doc.access.find((r) => r.id === 'sales-reps')!.grants.prod.permissionSets!.push('API_Only');
    writeFileSync(sales, JSON.stringify(doc, null, 2));
    await simpleGit({ baseDir: repo }).add('.').commit('sales reps get API_Only');
    const lastApply = (await readState(dir.state)).lastApply!;

    const { status, view } = await reconcile();
    expect({ status, state: view.status }).toEqual({ status: 3, state: 'pending' });
    expect(view.found.basis).toBe('last-applied-policy');
    // The leaver of the run before is applied now: deactivated, with nothing left for them.
    expect(view.found.lifecycle.length).toBeGreaterThan(0);
    expect(view.applied!.counts).toMatchObject({ applied: view.found.lifecycle.length, failed: 0 });
    expect(view.applied!.remaining).toBe(0);
    // The new grants wait for the merge's apply, every one of them listed.
    expect(view.deferred.length).toBe(view.found.pending.length);
    expect(view.deferred.every((d) => d.address.endsWith('.permissionSet["API_Only"]'))).toBe(true);
    // State still names the applied policy, so the next run tells pending from drift the same way.
    const after = (await readState(dir.state)).lastApply!;
    expect({ policyDigest: after.policyDigest, gitCommit: after.gitCommit }).toEqual({
      policyDigest: lastApply.policyDigest,
      gitCommit: lastApply.gitCommit,
    });
    const again = await reconcile('--report-only');
    expect({
      status: again.status,
      drift: again.view.found.drift,
      lifecycle: again.view.found.lifecycle,
    }).toEqual({
      status: 3,
      drift: [],
      lifecycle: [],
    });
    expect(again.view.found.pending.length).toBe(view.deferred.length);
  });

  it('a mass deprovisioning is blocked by the guard rail (exit 4), with nothing written', async () => {
    // Back to the applied policy, so only the leavers are in play.
    await simpleGit({ baseDir: repo }).revert('HEAD', ['--no-edit']);
    // More than the demo's cap (25 people, or 5%, whichever is more) leave at once.
    const everyone = sandbox.stores.okta.users().filter((u) => u.status === 'ACTIVE');
    expect(everyone.length).toBeGreaterThan(25);
    for (const u of everyone) leave(u.profile.login);
    const before = writeRequests(sandbox).length;
    const { status, view } = await reconcile();
    expect({ status, state: view.status }).toEqual({ status: 4, state: 'blocked' });
    expect(view.blockedReasons.join()).toMatch(/deprovision/i);
    expect(view.applied).toBeUndefined();
    expect(writeRequests(sandbox).length).toBe(before);
  });
});
