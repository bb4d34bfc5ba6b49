import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Change } from '../../src/model/change.js';
import type { Plan } from '../../src/plan/types.js';
import { createRecord, updateRecord } from '@accord/sandbox';
import type { Sandbox } from '@accord/sandbox';
import {
  freshPlan,
  loopbackSandbox,
  readAudit,
  runAccord,
  scratch,
  writeRequests,
  type CliRun,
} from './support/harness.js';
import { accordInProcess } from './support/in-process.js';

const prod = (user: string) => `salesforce.prod.user["${user}"]`;
const GRANT = `${prod('ana.lopez@acme.test')}.permissionSet["Report_Builder"]`;
const UPDATE = prod('kim.mover@acme.test');

/** Every change that (transitively) depends on one of `ids`. */
function dependentsOf(changes: readonly Change[], ids: Set<string>): Set<string> {
  const out = new Set<string>();
  for (let grew = true; grew;) {
    grew = false;
    for (const c of changes)
      if (!out.has(c.id) && c.dependsOn.some((d) => ids.has(d) || out.has(d))) {
        out.add(c.id);
        grew = true;
      }
  }
  return out;
}

/**
 * A saved plan is applied exactly as reviewed: between `accord plan --out` and `accord apply
 * plan.json` someone grants one of the planned permission sets by hand and changes the profile an
 * update expects. Exactly those two are stale; what depends on them is not attempted; the rest applies.
 */
describe('accord apply PLANFILE with changes gone stale', () => {
  let sandbox: Sandbox;
  const dir = scratch('saved');
  const planFile = join(dir.dir, 'plan.json');
  let plan: Plan;
  let run: CliRun;
  let staleIds: Set<string>;

  beforeAll(async () => {
    sandbox = await loopbackSandbox({ people: 60, seed: 11 });
    const saved = await runAccord(sandbox, ['plan', '--out', planFile, '--state', dir.state]);
    if (saved.status !== 0) throw new Error(`plan failed: ${saved.stderr}`);
    plan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
    const find = (address: string, action: string) =>
      plan.changes.find((c) => c.address === address && c.action === action);
    const grant = find(GRANT, 'grant');
    const update = find(UPDATE, 'update');
    if (!grant || !update) throw new Error('the demo plan lost the changes this test makes stale');
    staleIds = new Set([grant.id, update.id]);

    // The world moves: an admin assigns the permission set by hand, and changes Kim's profile.
    const store = sandbox.stores.salesforce.prod!;
    const ana = store.user('ana.lopez@acme.test')!;
    createRecord(store, 'PermissionSetAssignment', {
      AssigneeId: ana.Id,
      PermissionSetId: store.named('PermissionSet', 'Report_Builder')!.Id,
    });
    const kim = store.user('kim.mover@acme.test')!;
    updateRecord(store, 'User', kim.Id, { ProfileId: store.named('Profile', 'Standard User')!.Id });

    run = await runAccord(sandbox, ['apply', planFile, '--state', dir.state, '--audit', dir.audit]);
  }, 60_000);
  afterAll(async () => {
    await sandbox.close();
    dir.remove();
  });

  it('reports exactly those two changes stale, with the reason', async () => {
    expect(run.stdout).toContain(`Applying ${planFile}: ${plan.changes.length} changes, 2 stale.`);
    const entries = await readAudit(dir.audit);
    const stale = entries.filter((e) => e.result === 'stale');
    expect(stale.map((e) => `${e.action} ${e.address}`).sort()).toEqual([
      `grant ${GRANT}`,
      `update ${UPDATE}`,
    ]);
    expect(stale.find((e) => e.action === 'update')?.message).toMatch(
      /precondition failed: \/Profile was "Support User" when planned, is now "Standard User"/,
    );
    expect(stale.find((e) => e.action === 'grant')?.message).toMatch(/no longer needed/);
  });

  it('does not attempt what depends on a stale change, and applies everything else as planned', async () => {
    const skipped = dependentsOf(plan.changes, staleIds);
    const expected = Object.fromEntries(
      plan.changes.map((c) => [
        `${c.action} ${c.address}`,
        staleIds.has(c.id) ? 'stale' : skipped.has(c.id) ? 'skipped' : 'applied',
      ]),
    );
    const entries = await readAudit(dir.audit);
    expect(Object.fromEntries(entries.map((e) => [`${e.action} ${e.address}`, e.result]))).toEqual(expected);
    expect(entries).toHaveLength(plan.changes.length);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      `Apply complete: ${plan.changes.length - 2 - skipped.size} applied, 0 failed, ${skipped.size} skipped, 2 stale.`,
    );
  });

  it('leaves only the stale update and its dependents for the next plan', async () => {
    const again = await freshPlan(sandbox, dir.state);
    const update = plan.changes.find((c) => c.address === UPDATE)!;
    const allowed = new Set(
      plan.changes
        .filter((c) => c.id === update.id || dependentsOf(plan.changes, new Set([update.id])).has(c.id))
        .map((c) => `${c.action} ${c.address}`),
    );
    const left = again.changes.map((c) => `${c.action} ${c.address}`);
    expect(left).toContain(`update ${UPDATE}`);
    expect(left.filter((x) => !allowed.has(x))).toEqual([]);
  }, 30_000);

  it('refuses a plan file made from a different policy, before any write', async () => {
    const other = join(dir.dir, 'other-policy.json');
    const edited = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
    edited.policyDigest = 'f'.repeat(64);
    writeFileSync(other, JSON.stringify(edited));
    const writes = writeRequests(sandbox).length;
    const refused = await accordInProcess(sandbox, [
      'apply',
      other,
      '--state',
      dir.state,
      '--audit',
      dir.audit,
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('was planned from a different policy');
    expect(writeRequests(sandbox).length).toBe(writes);
  }, 30_000);
});
