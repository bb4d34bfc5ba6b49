import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecord, type Sandbox, startSandbox } from '@accord/sandbox';
import { runAccord } from '../apply/support/harness.js';

describe('accord drift (UC-26, UC-08)', () => {
  let sandbox: Sandbox;
  const dir = mkdtempSync(join(tmpdir(), 'accord-drift-'));
  const files = ['--state', join(dir, 's.json'), '--audit', join(dir, 'a.jsonl')];
  beforeAll(async () => {
    sandbox = await startSandbox({ transport: 'loopback', port: 0, people: 80, seed: 7 });
  });
  afterAll(() => sandbox.close());

  it('reports policy never applied as pending (exit 3), then clean after apply, then drift (exit 2)', async () => {
    const before = await runAccord(sandbox, ['drift', '--state', join(dir, 's.json')]);
    expect(before.stdout).toContain('No drift.');
    expect(before.stdout).toMatch(/Pending: \d+ change/);
    expect(before.stdout).toMatch(/prod Salesforce: \d+ of \d+ used/);
    expect(before.status).toBe(3); // pending only

    const applied = await runAccord(sandbox, ['apply', '--auto-approve', ...files]);
    expect(applied.stdout).toContain('Apply complete');
    expect(applied.status).toBe(0);

    const clean = await runAccord(sandbox, ['drift', '--state', join(dir, 's.json')]);
    expect(clean.stdout).toContain('No drift.');
    expect(clean.stdout).not.toContain('Pending');
    expect(clean.status).toBe(0);

    // Someone assigns a permission set by hand in Salesforce.
    const prod = sandbox.stores.salesforce.prod!;
    const ana = prod.user('ana.lopez@acme.test')!;
    const exportSet = prod.named('PermissionSet', 'Data_Export')!;
    createRecord(prod, 'PermissionSetAssignment', { AssigneeId: ana.Id, PermissionSetId: exportSet.Id });

    const drifted = await runAccord(sandbox, [
      'drift',
      '--state',
      join(dir, 's.json'),
      '--format',
      'markdown',
    ]);
    expect(drifted.stdout).toContain('## accord drift: 1 drifted');
    expect(drifted.stdout).toContain(
      '- revoke salesforce.prod.user["ana.lopez@acme.test"].permissionSet["Data_Export"]',
    );
    expect(drifted.status).toBe(2);
  }, 120_000);
});
