import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, forceUnlock, lockPath, readLock } from '../../src/state/lock.js';
import { repoRoot } from '../cli/run-cli.js';

const statePathIn = () => join(mkdtempSync(join(tmpdir(), 'accord-lock-')), 'state', 'prod.state.json');

describe('state lock', () => {
  it('records holder, pid, host, time and operation, and releases', async () => {
    const statePath = statePathIn();
    const lock = await acquireLock(statePath, 'apply', { GITHUB_ACTOR: 'octocat' });
    expect(lock.info).toMatchObject({
      holder: 'octocat',
      pid: process.pid,
      host: hostname(),
      operation: 'apply',
    });
    expect(Date.parse(lock.info.createdAt)).not.toBeNaN();
    expect(JSON.parse(readFileSync(lockPath(statePath), 'utf8'))).toEqual(lock.info);
    expect(await readLock(statePath)).toEqual(lock.info);
    await lock.release();
    await lock.release();
    expect(existsSync(lockPath(statePath))).toBe(false);
    expect(await readLock(statePath)).toBeUndefined();
  });

  it('uses the OS user without GITHUB_ACTOR', async () => {
    const lock = await acquireLock(statePathIn(), 'apply', {});
    expect(lock.info.holder).not.toBe('');
    await lock.release();
  });

  it('refuses a second acquire and says who holds the lock', async () => {
    const statePath = statePathIn();
    const lock = await acquireLock(statePath, 'apply', { GITHUB_ACTOR: 'octocat' });
    const refused = acquireLock(statePath, 'apply', { GITHUB_ACTOR: 'someone-else' });
    await expect(refused).rejects.toMatchObject({
      code: 'state.locked',
      exitCode: 1,
      message: `state is locked by octocat (pid ${process.pid} on ${hostname()}, apply since ${lock.info.createdAt})`,
      hint: 'wait for that run to finish, or run `accord force-unlock` if it is gone',
    });
    await lock.release();
    const again = await acquireLock(statePath, 'apply', { GITHUB_ACTOR: 'someone-else' });
    expect(again.info.holder).toBe('someone-else');
    await again.release();
  });

  it('force-unlock removes a lock left behind and returns who held it', async () => {
    const statePath = statePathIn();
    const lock = await acquireLock(statePath, 'apply', { GITHUB_ACTOR: 'octocat' });
    expect(await forceUnlock(statePath)).toEqual(lock.info);
    expect(existsSync(lockPath(statePath))).toBe(false);
    expect(await forceUnlock(statePath)).toBeUndefined();
  });

  it('a stale release after force-unlock does not remove the next holder’s lock', async () => {
    const statePath = statePathIn();
    const first = await acquireLock(statePath, 'apply', { GITHUB_ACTOR: 'first' });
    await forceUnlock(statePath);
    const second = await acquireLock(statePath, 'apply', { GITHUB_ACTOR: 'second' });
    await first.release();
    expect((await readLock(statePath))?.holder).toBe('second');
    await second.release();
  });

  it('treats an empty or garbled lock file as locked, and force-unlock clears it', async () => {
    const statePath = statePathIn();
    await acquireLock(statePath, 'apply'); // its file is then garbled below
    writeFileSync(lockPath(statePath), '');
    await expect(acquireLock(statePath, 'apply')).rejects.toMatchObject({
      code: 'state.locked',
      message: expect.stringContaining('unknown (unreadable lock file)'),
    });
    expect((await forceUnlock(statePath))?.holder).toBe('unknown (unreadable lock file)');
    expect(existsSync(lockPath(statePath))).toBe(false);
  });

  it('lets exactly one of several racing processes win', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-race-'));
    const statePath = join(dir, 'prod.state.json');
    const goFile = join(dir, 'go');
    const racers = ['alpha', 'bravo', 'charlie'].map((name) => {
      const child = spawn(
        process.execPath,
        [
          join(repoRoot, 'bin/run-ts.js'),
          join(repoRoot, 'test/state/lock-racer.ts'),
          statePath,
          goFile,
          name,
        ],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const ready = new Promise<void>((resolve) => {
        const check = () => (out.includes('ready') ? resolve() : setTimeout(check, 5));
        check();
      });
      const done = new Promise<string>((resolve) => child.on('close', () => resolve(out + err)));
      return { name, ready, done };
    });
    await Promise.all(racers.map((r) => r.ready));
    writeFileSync(goFile, '');
    const outputs = await Promise.all(racers.map((r) => r.done));
    const winners = outputs.filter((out) => out.includes('won'));
    const losers = outputs.filter((out) => out.includes('lost state.locked: state is locked by '));
    expect({ winners: winners.length, losers: losers.length }).toEqual({ winners: 1, losers: 2 });
    const winner = racers[outputs.indexOf(winners[0]!)]!.name;
    for (const out of losers) expect(out).toContain(`state is locked by ${winner} (pid `);
    expect(existsSync(lockPath(statePath))).toBe(false);
  }, 60_000);
});
