import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Sandbox } from '@accord/sandbox';
import { loopbackSandbox, scratch } from './support/harness.js';
import { accordInProcess } from './support/in-process.js';

/** `apply --target --verify`: the verification plans the same target the apply did. */
describe('a targeted apply, verified', () => {
  let sandbox: Sandbox;
  const dir = scratch('target');
  beforeAll(async () => {
    sandbox = await loopbackSandbox({ people: 60, seed: 7 });
  });
  afterAll(async () => {
    await sandbox.close();
    dir.remove();
  });

  it('converges within the target while changes outside it stay pending', async () => {
    const applied = await accordInProcess(sandbox, [
      'apply',
      '--auto-approve',
      '--verify',
      '--target',
      'okta.',
      '--state',
      dir.state,
      '--audit',
      dir.audit,
    ]);
    expect(applied.stdout).toMatch(/Apply complete: \d+ applied/);
    expect(applied.stdout).toContain('Converged: a new plan has 0 changes.');
    expect(applied.status).toBe(0);
    // Outside the target there was work left: the verification really was limited to it.
    const rest = await accordInProcess(sandbox, ['plan', '--format', 'json', '--state', dir.state]);
    const changes = (JSON.parse(rest.stdout) as { changes: { address: string }[] }).changes;
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.filter((c) => c.address.startsWith('okta.'))).toEqual([]);
  }, 60_000);
});
