/**
 * Issue 14, item 5 against the sandbox through the real clients: with `lifecycle.orphans:
 * deactivate` and `lifecycle.inactivity` (freeze after 90 days), an unprotected orphan is
 * offboarded and an entitled user idle for 200 days is frozen; then a fresh plan is empty.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRecord, type Sandbox } from '@accord/sandbox';
import { loopbackSandbox, policiesDir, readAudit, scratch } from './support/harness.js';
import { accordInProcess } from './support/in-process.js';

const ORPHAN = 'contractor.left@acme.test';
let sandbox: Sandbox;
const dir = scratch('reclaim');
const policies = mkdtempSync(join(tmpdir(), 'accord-reclaim-policies-'));
const prod = () => sandbox.stores.salesforce.prod!;
const user = (username: string) =>
  prod()
    .records('User')
    .find((u) => u.Username === username)!;
const frozen = (username: string) =>
  prod()
    .records('UserLogin')
    .find((l) => l.UserId === user(username).Id)?.IsFrozen === true;
const run = (args: string[]) =>
  accordInProcess(sandbox, [...args, '--policies', policies, '--state', dir.state]);
let idle: string;

beforeAll(async () => {
  cpSync(policiesDir, policies, { recursive: true });
  writeFileSync(
    join(policies, 'reclaim.json'),
    JSON.stringify({ lifecycle: { orphans: 'deactivate', inactivity: { afterDays: 90, action: 'freeze' } } }),
  );
  sandbox = await loopbackSandbox({ people: 60, seed: 21 });
  // A first apply brings the demo in line, so what follows is only the reclaiming.
  await run(['apply', '--auto-approve', '--allow-large-change', '--audit', dir.audit]);
  const store = prod();
  createRecord(store, 'User', {
    Username: ORPHAN,
    LastName: 'Left',
    Email: ORPHAN,
    Alias: 'cleft',
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: store.named('Profile', 'Standard User')!.Id,
  });
  const entitled = store
    .records('User')
    .find(
      (u) => u.IsActive === true && typeof u.FederationIdentifier === 'string' && !frozen(String(u.Username)),
    )!;
  idle = String(entitled.Username);
  entitled.LastLoginDate = new Date(Date.now() - 200 * 86_400_000).toISOString().replace('Z', '+0000');
}, 90_000);

afterAll(async () => {
  await sandbox.close();
  dir.remove();
});

describe('reclaiming orphans and idle users in the sandbox', () => {
  it('offboards the orphan, freezes the idle user, audits both, and converges', async () => {
    const applied = await run(['apply', '--auto-approve', '--allow-large-change', '--audit', dir.audit]);
    expect({ status: applied.status, stderr: applied.stderr }).toEqual({
      status: 0,
      stderr: expect.any(String),
    });
    expect(user(ORPHAN).IsActive).toBe(false);
    expect(frozen(ORPHAN)).toBe(true);
    expect(user(idle).IsActive).toBe(true);
    expect(frozen(idle)).toBe(true);
    const rules = (await readAudit(dir.audit))
      .filter((e) => e.address.includes(ORPHAN) || e.address.includes(idle))
      .map((e) => `${e.action} ${e.rule}`);
    expect(rules).toEqual(
      expect.arrayContaining([
        'deactivate lifecycle.orphans',
        'freeze lifecycle.orphans',
        'freeze lifecycle.inactivity',
      ]),
    );
    const again = await run(['plan', '--detailed-exitcode']);
    expect({ status: again.status, out: again.status === 0 ? '' : again.stdout.slice(0, 3000) }).toEqual({
      status: 0,
      out: '',
    });
  }, 90_000);
});
