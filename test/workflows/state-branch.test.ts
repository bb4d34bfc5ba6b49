/**
 * .github/accord/state-branch.sh against a local bare repository standing in for GitHub: state/
 * goes to the accord-state branch (created on first use), never to main, and is read back from
 * there; an unchanged state makes no commit; state locks are left out.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../.github/accord/state-branch.sh', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'accord-state-branch-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const env = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GITHUB_TOKEN: '',
  GITHUB_ACTIONS: '',
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    env,
    encoding: 'utf8',
  }).trim();
const state = (cwd: string, ...args: string[]) =>
  execFileSync('bash', [script, ...args], { cwd, env, encoding: 'utf8' }).trim();

describe('state-branch.sh', () => {
  const origin = join(base, 'origin.git');
  const work = join(base, 'work');
  git(base, 'init', '-q', '--bare', '-b', 'main', origin);
  git(base, 'init', '-q', '-b', 'main', work);
  git(work, 'remote', 'add', 'origin', origin);
  mkdirSync(join(work, 'state'));
  writeFileSync(join(work, 'state/README.md'), 'state lives on accord-state\n');
  git(work, 'add', '.');
  git(work, 'commit', '-qm', 'init');
  git(work, 'push', '-q', 'origin', 'main');
  const mainTip = git(work, 'rev-parse', 'HEAD');

  it('keeps the checked-out state/ when the branch does not exist yet', () => {
    expect(state(work, 'read')).toMatch(/^no accord-state branch yet/);
    expect(readFileSync(join(work, 'state/README.md'), 'utf8')).toBe('state lives on accord-state\n');
  });

  it('creates the branch on first write, with only state/, leaving main alone', () => {
    writeFileSync(join(work, 'state/demo.state.json'), '{"v":1}\n');
    writeFileSync(join(work, 'state/demo.state.json.lock'), 'held\n');
    expect(state(work, 'write')).toMatch(/^state\/ committed to accord-state as [0-9a-f]{12}$/);
    expect(git(origin, 'ls-tree', '-r', '--name-only', 'accord-state').split('\n')).toEqual([
      'state/README.md',
      'state/demo.state.json',
    ]);
    expect(git(origin, 'rev-parse', 'main')).toBe(mainTip);
    expect(git(work, 'status', '--porcelain', '--', 'state/README.md')).toBe('');
  });

  it('makes no commit when nothing changed, and one on top of the last when it did', () => {
    expect(state(work, 'write')).toBe('state/ unchanged on accord-state');
    writeFileSync(join(work, 'state/demo.state.json'), '{"v":2}\n');
    state(work, 'write', 'accord: second apply');
    expect(git(origin, 'log', '--format=%s', 'accord-state').split('\n')).toEqual([
      'accord: second apply',
      expect.stringMatching(/^accord: state after applying [0-9a-f]{12}$/),
    ]);
  });

  it('reads state/ back from the branch, replacing what the commit had', () => {
    const other = join(base, 'other');
    git(base, 'clone', '-q', origin, other);
    writeFileSync(join(other, 'state/stale.json'), 'old\n');
    expect(state(other, 'read')).toMatch(/^state\/ read from accord-state at [0-9a-f]{12}$/);
    expect(readFileSync(join(other, 'state/demo.state.json'), 'utf8')).toBe('{"v":2}\n');
    expect(() => readFileSync(join(other, 'state/stale.json'))).toThrow();
  });
});
