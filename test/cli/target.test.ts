import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@accord/sandbox';
import { targetingWarning } from '../../src/cli/environment.js';
import type { Plan } from '../../src/plan/types.js';
import { writeRequests } from '../apply/support/harness.js';
import { repoRoot, runMain } from './run-cli.js';

/**
 * `--target`: said to be in effect on stderr whenever it narrows a plan, and refused when a target
 * names nothing at all (a typo would otherwise read as "no changes"). In-process, one sandbox.
 */
describe('accord plan --target', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accord-target-'));
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ transport: 'loopback', port: 0, people: 20, seed: 5 });
  });
  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (command: string, args: string[]) =>
    runMain([command, '--policies', join(repoRoot, 'policies'), '--state', join(dir, 's.json'), ...args], {
      env: sandbox.env,
    });
  const changesOf = (stdout: string) => (JSON.parse(stdout) as Plan).changes.map((c) => c.address);

  it('warns that targeting is in effect, and plans only the target', async () => {
    const planned = await run('plan', ['-target=okta.', '-json']);
    expect(planned.status).toBe(0);
    expect(planned.stderr).toBe(targetingWarning(['okta.']));
    expect(planned.stderr).toMatch(/^warning: Resource targeting is in effect .*the plan may be incomplete/);
    const changes = changesOf(planned.stdout);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((a) => a.startsWith('okta.'))).toBe(true);
  });

  it('says nothing of targeting without --target', async () => {
    const planned = await run('plan', ['-json']);
    // 4: the small sandbox's leavers are over the deprovisioning cap, which is not targeting.
    expect(planned.status).toBe(4);
    expect(planned.stderr).not.toMatch(/target/i);
  });

  it('accepts a target that names an address with no change: the plan is empty, not an error', async () => {
    const planned = await run('plan', ['--target', 'okta.user["dana.boss@acme.test"]', '-json']);
    expect(planned.status).toBe(0);
    expect(changesOf(planned.stdout)).toEqual([]);
    expect(planned.stderr).toBe(targetingWarning(['okta.user["dana.boss@acme.test"]']));
  });

  it('accepts a target inside an address it read (records of a user with nothing to transfer)', async () => {
    const planned = await run('plan', [
      '--target',
      'salesforce.prod.user["dana.boss@acme.test"].records["Case"]',
    ]);
    expect(planned.status).toBe(0);
  });

  it('refuses a target that matches no change and no address, suggesting the nearest', async () => {
    const planned = await run('plan', ['-target=okta.usr["gina.globex@globex.test"]', '-target=okta.']);
    expect(planned.status).toBe(1);
    expect(planned.stdout).toBe('');
    const [warning, error, hint, ...rest] = planned.stderr.split('\n');
    expect(warning).toMatch(/^warning: Resource targeting is in effect/);
    expect(error).toBe(
      'error: --target okta.usr["gina.globex@globex.test"] matches no change and no address accord read or owns',
    );
    // gina is still to be created in Okta: the suggestion comes from the untargeted plan.
    expect(hint).toBe(
      'hint: did you mean okta.user["gina.globex@globex.test"]? Addresses start with okta.user[, okta.group[, ' +
        'onelogin.user[, onelogin.role[, salesforce.prod.user[, salesforce.emea.user[; ' +
        '`accord plan --format json` lists the address of every change.',
    );
    expect(rest).toEqual(['']);
  });

  it('refuses it in apply and drift too, before anything is applied', async () => {
    const writes = writeRequests(sandbox).length;
    const applied = await run('apply', [
      '--target',
      'azure.',
      '--auto-approve',
      '--audit',
      join(dir, 'a.jsonl'),
    ]);
    expect(applied.status).toBe(1);
    expect(applied.stderr).toContain('error: --target azure. matches no change and no address');
    expect(writeRequests(sandbox).length).toBe(writes);
    const drift = await run('drift', ['--target', 'azure.']);
    expect(drift.status).toBe(1);
    expect(drift.stderr).toContain('error: --target azure. matches no change and no address');
  });

  it('refuses to narrow a saved plan with --target, before reading the file or any platform', async () => {
    const writes = writeRequests(sandbox).length;
    const reads = sandbox.instrument.log.length;
    const applied = await run('apply', [
      join(dir, 'never-written.json'),
      '--target',
      'okta.',
      '--auto-approve',
    ]);
    expect(applied.status).toBe(1);
    expect(applied.stderr).toContain(
      'error: --target cannot narrow a saved plan: what was reviewed is what is applied',
    );
    expect(applied.stderr).toContain('hint: apply');
    expect(sandbox.instrument.log.length).toBe(reads);
    expect(writeRequests(sandbox).length).toBe(writes);
  });
});
