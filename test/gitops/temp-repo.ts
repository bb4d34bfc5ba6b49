import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'accord test',
  GIT_AUTHOR_EMAIL: 'test@accord.invalid',
  GIT_COMMITTER_NAME: 'accord test',
  GIT_COMMITTER_EMAIL: 'test@accord.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** A throwaway git repository holding a copy of the demo policies, for diffs between two commits. */
export class TempRepo {
  readonly dir = mkdtempSync(join(tmpdir(), 'accord-gitops-'));

  constructor() {
    this.git('init', '-q', '-b', 'main');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      env: { ...process.env, ...GIT_ENV },
      encoding: 'utf8',
    });
  }

  copyDemoPolicies(to = 'policies'): this {
    cpSync(join(repoRoot, 'policies'), join(this.dir, to), { recursive: true });
    return this;
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8');
  }

  write(path: string, text: string): this {
    writeFileSync(join(this.dir, path), text);
    return this;
  }

  /** Rewrites a JSON file through a function of its parsed value. */
  editJson<T>(path: string, edit: (value: T) => void): this {
    const value = JSON.parse(this.read(path)) as T;
    edit(value);
    return this.write(path, `${JSON.stringify(value, null, 2)}\n`);
  }

  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD').trim();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
