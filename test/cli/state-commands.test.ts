import { describe, expect, it } from '@jest/globals';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendAudit, type AuditInput } from '../../src/state/audit.js';
import { acquireLock, lockPath } from '../../src/state/lock.js';
import { repoRoot, runCli } from './run-cli.js';

/** A working folder with the demo company's policy (environment "demo") and an empty state/. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'accord-state-cli-'));
  cpSync(join(repoRoot, 'policies'), join(dir, 'policies'), { recursive: true });
  mkdirSync(join(dir, 'state'));
  return dir;
}

const change = (n: number): AuditInput => ({
  time: '2026-01-01T00:00:00.000Z',
  actor: 'octocat',
  gitCommit: null,
  planHash: 'sha256:plan',
  address: `okta.group["G${n}"]`,
  action: 'create',
  person: null,
  rule: null,
  fact: 'managed group',
  result: 'applied',
});

describe('accord force-unlock', () => {
  it('removes the lock of the policy’s environment, says who held it, and exits 0', async () => {
    const dir = workspace();
    const statePath = join(dir, 'state/demo.state.json');
    const lock = await acquireLock(statePath, 'apply', { GITHUB_ACTOR: 'octocat' });
    const { status, stdout } = runCli(['force-unlock'], { cwd: dir });
    expect(stdout).toBe(
      `removed the lock on state/demo.state.json held by octocat (pid ${lock.info.pid} on ${lock.info.host}, apply since ${lock.info.createdAt})\n` +
        `warning: pid ${lock.info.pid} is still running on this host; if it is that run, it is no longer protected\n`,
    );
    expect(status).toBe(0);
    expect(existsSync(lockPath(statePath))).toBe(false);
  });

  it('exits 1 with a clear message when there is no lock', () => {
    const dir = workspace();
    const { status, stdout, stderr } = runCli(['force-unlock', '--state', 'state/demo.state.json'], {
      cwd: dir,
    });
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'error: state/demo.state.json is not locked (no state/demo.state.json.lock)\nhint: nothing to remove\n',
    );
    expect(status).toBe(1);
  });

  it('asks for --state when the policy does not load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-state-cli-'));
    const { status, stderr } = runCli(['force-unlock', '--policies', 'nowhere'], { cwd: dir });
    expect(stderr).toContain('error: cannot tell the environment: the policy in "nowhere" did not load');
    expect(stderr).toContain('hint: pass --state FILE');
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(status).toBe(1);
  });

  it('has --help', () => {
    const { status, stdout } = runCli(['force-unlock', '--help']);
    expect(stdout).toContain('--state <file>');
    expect(stdout).toContain('--policies <dir>');
    expect(status).toBe(0);
  });
});

describe('accord audit verify', () => {
  it('exits 0 on an intact log of the policy’s environment', async () => {
    const dir = workspace();
    await appendAudit(join(dir, 'state/demo.audit.jsonl'), [change(1), change(2), change(3)]);
    const { status, stdout } = runCli(['audit', 'verify'], { cwd: dir });
    expect(stdout).toBe('audit log ok: 3 entries\n');
    expect(status).toBe(0);
  });

  it('exits 1 and names the line when the log was tampered with', async () => {
    const dir = workspace();
    const path = join(dir, 'custom.jsonl');
    await appendAudit(path, [change(1), change(2), change(3)]);
    const lines = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, [lines[0], lines[2], ''].join('\n'));
    const { status, stdout } = runCli(['audit', 'verify', '--audit', 'custom.jsonl'], { cwd: dir });
    expect(stdout).toBe(
      'audit log broken at line 2: seq is 3 where 2 was expected (a line was removed, added or moved)\n',
    );
    expect(status).toBe(1);
  });

  it('with ACCORD_AUDIT_KEY, accepts a signed log and refuses one rewritten without the key (UC-20)', async () => {
    const dir = workspace();
    const path = join(dir, 'state/demo.audit.jsonl');
    await appendAudit(path, [change(1), change(2)], 'the-key');
    const signed = runCli(['audit', 'verify'], { cwd: dir, env: { ACCORD_AUDIT_KEY: 'the-key' } });
    expect(signed.stdout).toBe('audit log ok: 2 entries, every line signed\n');
    expect(signed.status).toBe(0);
    const otherKey = runCli(['audit', 'verify'], { cwd: dir, env: { ACCORD_AUDIT_KEY: 'another' } });
    expect(otherKey.stdout).toMatch(/^audit log broken at line 1: mac does not match ACCORD_AUDIT_KEY/);
    expect(otherKey.status).toBe(1);
    // Rewritten whole: a valid sha256 chain with an edited line, but nobody could make the macs.
    writeFileSync(path, '');
    await appendAudit(path, [change(1), { ...change(2), result: 'failed' }]);
    const rewritten = runCli(['audit', 'verify'], { cwd: dir, env: { ACCORD_AUDIT_KEY: 'the-key' } });
    expect(rewritten.stdout).toMatch(/^audit log broken at line 1: the line has no mac/);
    expect(rewritten.status).toBe(1);
    expect(runCli(['audit', 'verify'], { cwd: dir }).status).toBe(0);
  });

  it('exits 1 when there is no log', () => {
    const dir = workspace();
    const { status, stderr } = runCli(['audit', 'verify'], { cwd: dir });
    expect(stderr).toContain('error: audit log state/demo.audit.jsonl does not exist');
    expect(status).toBe(1);
  });

  it('has --help', () => {
    const verify = runCli(['audit', 'verify', '--help']);
    expect(verify.stdout).toContain('--audit <file>');
    expect(verify.status).toBe(0);
    const audit = runCli(['audit', '--help']);
    expect(audit.stdout).toContain('verify');
    expect(audit.status).toBe(0);
  });
});

describe('accord plan with a damaged state file (issue 15)', () => {
  const good = {
    formatVersion: 1,
    lineage: '7d1f3a52-2c55-4a57-9d43-4bb7f1b1a0e1',
    serial: 4,
    links: { 'ana@acme.test': { okta: 'ana@acme.test' }, 'bo@acme.test': { okta: 'bo@acme.test' } },
    owned: [],
    fingerprints: {},
  };
  // One case through the CLI (a child process costs seconds); test/state/state-file.test.ts runs
  // the whole corpus of damaged files against readState.
  const cases: [string, string, string][] = [
    [
      'a link edited onto another person’s account',
      JSON.stringify(good, null, 2).replace('"okta": "bo@acme.test"', '"okta": "ana@acme.test"'),
      '/links/bo@acme.test/okta (line 10, column 15): bo@acme.test and ana@acme.test are both linked to the account "ana@acme.test" on okta',
    ],
  ];

  it.each(cases)('%s: one error line and a hint, exit 1, nothing planned or written', (_, text, problem) => {
    const dir = workspace();
    const statePath = join(dir, 'state/demo.state.json');
    writeFileSync(statePath, text);
    const { status, stdout, stderr } = runCli(['plan', '--sandbox', '--out', 'plan.json'], { cwd: dir });
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(
      `error: state file state/demo.state.json is not valid accord state: ${problem}`,
    );
    expect(lines[1]).toMatch(/^hint: restore it from git history; never edit state by hand/);
    expect(stderr).not.toMatch(/internal error|TypeError|\bat .*:\d+:\d+/);
    expect(stdout).toBe('');
    expect(status).toBe(1);
    expect(readFileSync(statePath, 'utf8')).toBe(text);
    expect(readdirSync(dir).sort()).toEqual(['policies', 'state']);
    expect(readdirSync(join(dir, 'state'))).toEqual(['demo.state.json']);
  });
});
