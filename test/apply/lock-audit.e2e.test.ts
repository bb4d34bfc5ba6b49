import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Sandbox } from '@accord/sandbox';
import { acquireLock, readLock } from '../../src/state/lock.js';
import { sha256 } from '../../src/model/canonical-json.js';
import { loopbackSandbox, readAudit, runAccord, scratch, writeRequests } from './support/harness.js';
import { accordInProcess } from './support/in-process.js';

describe('a concurrent apply is refused', () => {
  let sandbox: Sandbox;
  const dir = scratch('lock');
  beforeAll(async () => {
    sandbox = await loopbackSandbox({ people: 60, seed: 3 });
  });
  afterAll(async () => {
    await sandbox.close();
    dir.remove();
  });

  it('exits 1, names the holder, and sends no write to any platform', async () => {
    const held = await acquireLock(dir.state, 'apply', { ...process.env, GITHUB_ACTOR: 'octo-holder' });
    try {
      const run = await runAccord(sandbox, [
        'apply',
        '--auto-approve',
        '--state',
        dir.state,
        '--audit',
        dir.audit,
      ]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('state is locked by octo-holder');
      expect(run.stderr).toContain(`pid ${process.pid}`);
      expect(run.stdout).not.toContain('Apply complete');
      expect(writeRequests(sandbox)).toEqual([]);
      // The lock comes first (issue 15): a refused apply has not even read the platforms.
      expect(sandbox.instrument.log).toEqual([]);
      // The holder's lock is still there and still theirs.
      expect((await readLock(dir.state))?.holder).toBe('octo-holder');
    } finally {
      await held.release();
    }
  }, 60_000);

  it('with --lock-timeout waits for the holder, says so, then applies', async () => {
    const held = await acquireLock(dir.state, 'apply', { ...process.env, GITHUB_ACTOR: 'octo-holder' });
    let waiting: () => void = () => {};
    const saidItWaits = new Promise<void>((resolve) => (waiting = resolve));
    const run = runAccord(
      sandbox,
      ['apply', '--auto-approve', '--lock-timeout', '60s', '--state', dir.state, '--audit', dir.audit],
      { onStderr: (text) => text.includes('waiting up to') && waiting(), timeoutMs: 85_000 },
    );
    await saidItWaits;
    // Waiting under the lock's holder: nothing read yet.
    expect(sandbox.instrument.log).toEqual([]);
    await held.release();
    const done = await run;
    expect(done.stderr).toContain('waiting up to 60 s for the state lock held by octo-holder');
    expect(done.stdout).toContain('Apply complete');
    expect(writeRequests(sandbox).length).toBeGreaterThan(0);
    expect(await readLock(dir.state)).toBeUndefined();
  }, 90_000);
});

describe('audit trail of an apply (UC-20)', () => {
  let sandbox: Sandbox;
  const dir = scratch('audit');
  let planned: { address: string; action: string; rule: string | null }[] = [];
  beforeAll(async () => {
    sandbox = await loopbackSandbox({ people: 60, seed: 5 });
    const plan = await accordInProcess(sandbox, ['plan', '--format', 'json', '--state', dir.state]);
    planned = (
      JSON.parse(plan.stdout) as { changes: { address: string; action: string; reason: { rule?: string } }[] }
    ).changes.map((c) => ({ address: c.address, action: c.action, rule: c.reason.rule ?? null }));
    const run = await accordInProcess(sandbox, [
      'apply',
      '--auto-approve',
      '--state',
      dir.state,
      '--audit',
      dir.audit,
    ]);
    if (run.status !== 0)
      throw new Error(`apply failed: ${run.stdout.slice(-1500)}${run.stderr.slice(-1500)}`);
  }, 60_000);
  afterAll(async () => {
    await sandbox.close();
    dir.remove();
  });

  it('has one line per change with actor, commit, plan hash, address, action, rule and result', async () => {
    const entries = await readAudit(dir.audit);
    expect(planned.length).toBeGreaterThan(10);
    expect(
      entries.map((e) => ({ address: e.address, action: e.action, rule: e.rule })).sort(byAddress),
    ).toEqual([...planned].sort(byAddress));
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    for (const e of entries) {
      expect(e.result).toBe('applied');
      expect(typeof e.actor).toBe('string');
      expect(e.actor.length).toBeGreaterThan(0);
      expect(e.planHash).toMatch(/^[0-9a-f]{64}$/);
      expect(e.gitCommit).toMatch(/^[0-9a-f]{40,64}$/);
      expect(Number.isNaN(Date.parse(e.time))).toBe(false);
    }
    expect(new Set(entries.map((e) => e.planHash)).size).toBe(1);
  });

  it('`accord audit verify` accepts the log', async () => {
    const run = await runAccord(sandbox, ['audit', 'verify', '--state', dir.state, '--audit', dir.audit]);
    // The head in state is checked; without ACCORD_AUDIT_KEY, the one thing it cannot see is said.
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 0,
      stderr: 'note: ACCORD_AUDIT_KEY is not set, so a log rewritten whole would not show\n',
    });
  }, 60_000);

  it('`accord audit verify` catches an edited, a removed, a reordered line and a cut tail', async () => {
    const original = readFileSync(dir.audit, 'utf8');
    const lines = original.trimEnd().split('\n');
    const edited = [...lines];
    edited[3] = edited[3]!.replace('"applied"', '"failed"');
    const removed = lines.filter((_, i) => i !== 2);
    const reordered = [...lines];
    [reordered[1], reordered[2]] = [reordered[2]!, reordered[1]!];
    // A valid chain, only shorter: the head state recorded is what shows it.
    const cut = lines.slice(0, -2);
    const verify = ['audit', 'verify', '--state', dir.state, '--audit', dir.audit];
    try {
      for (const [name, tampered] of Object.entries({ edited, removed, reordered, cut })) {
        writeFileSync(dir.audit, `${tampered.join('\n')}\n`);
        expect(sha256(readFileSync(dir.audit, 'utf8'))).not.toBe(sha256(original));
        const run = await accordInProcess(sandbox, verify);
        expect({ name, status: run.status }).toEqual({ name, status: 1 });
        expect(run.stdout).toContain('audit log broken at line');
      }
    } finally {
      writeFileSync(dir.audit, original);
    }
    expect((await accordInProcess(sandbox, verify)).status).toBe(0);
  });
});

const byAddress = (a: { address: string; action: string }, b: { address: string; action: string }) =>
  `${a.address} ${a.action}`.localeCompare(`${b.address} ${b.action}`);
