import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Change } from '../../src/model/change.js';
import type { Plan } from '../../src/plan/types.js';
import { createRecord } from '@accord/sandbox';
import type { Sandbox } from '@accord/sandbox';
import { loopbackSandbox, readAudit, runAccord, scratch, type CliRun } from './support/harness.js';
import { accordInProcess } from './support/in-process.js';

const CREATE = 'salesforce.prod.user["nico.newhire@acme.test"]';

/**
 * A partial failure stays isolated: someone holds the new hire's Salesforce username in the other
 * org (usernames are unique across all orgs), so creating the user in prod fails with
 * DUPLICATE_USERNAME. That change fails, what depends on it is not attempted, everything else applies.
 */
describe('accord apply with one change that fails', () => {
  let sandbox: Sandbox;
  const dir = scratch('partial');
  let plan: Plan;
  let run: CliRun;
  let create: Change;
  let dependents: Set<string>;

  beforeAll(async () => {
    sandbox = await loopbackSandbox({ people: 60, seed: 17 });
    const emea = sandbox.stores.salesforce.emea!;
    createRecord(emea, 'User', {
      Username: 'nico.newhire@acme.test',
      LastName: 'Squatter',
      Email: 'squatter@elsewhere.test',
      Alias: 'squat',
      TimeZoneSidKey: 'Europe/Berlin',
      LocaleSidKey: 'de_DE',
      EmailEncodingKey: 'UTF-8',
      LanguageLocaleKey: 'en_US',
      ProfileId: emea.named('Profile', 'Chatter Free User')!.Id,
    });
    const planned = await accordInProcess(sandbox, ['plan', '--format', 'json', '--state', dir.state]);
    plan = JSON.parse(planned.stdout) as Plan;
    create = plan.changes.find((c) => c.address === CREATE && c.action === 'create')!;
    if (!create) throw new Error(`the demo plan no longer creates ${CREATE}`);
    dependents = new Set();
    for (let grew = true; grew;) {
      grew = false;
      for (const c of plan.changes)
        if (!dependents.has(c.id) && c.dependsOn.some((d) => d === create.id || dependents.has(d))) {
          dependents.add(c.id);
          grew = true;
        }
    }
    run = await runAccord(sandbox, ['apply', '--auto-approve', '--state', dir.state, '--audit', dir.audit]);
  }, 60_000);
  afterAll(async () => {
    await sandbox.close();
    dir.remove();
  });

  it('fails that change and exits 1 with a tally', () => {
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /failed salesforce\.prod\.user\["nico\.newhire@acme\.test"\] create: .*DUPLICATE_USERNAME/,
    );
    expect(dependents.size).toBeGreaterThan(0);
    expect(run.stdout).toContain(
      `Apply complete: ${plan.changes.length - 1 - dependents.size} applied, 1 failed, ${dependents.size} skipped, 0 stale.`,
    );
  });

  it('does not attempt its dependents, and applies everything else', async () => {
    const entries = await readAudit(dir.audit);
    const expected = Object.fromEntries(
      plan.changes.map((c) => [
        `${c.action} ${c.address}`,
        c.id === create.id ? 'failed' : dependents.has(c.id) ? 'skipped' : 'applied',
      ]),
    );
    expect(Object.fromEntries(entries.map((e) => [`${e.action} ${e.address}`, e.result]))).toEqual(expected);
    for (const e of entries.filter((x) => x.result === 'skipped'))
      expect(e.message).toContain(`not attempted: change ${create.id}`);
    // Nothing reached prod for the new hire: no user, so no assignment either.
    const prod = sandbox.stores.salesforce.prod!;
    expect(prod.user('nico.newhire@acme.test')).toBeUndefined();
    // The emea user of the same person, independent of the prod create, was created.
    expect(sandbox.stores.salesforce.emea!.user('nico.newhire@acme.test.emea')).toBeDefined();
  });
});
