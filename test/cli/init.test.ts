/** `accord init DIR`: a new access repository whose starter policy validates, refusing to overwrite. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';

describe('accord init', () => {
  const parent = mkdtempSync(join(tmpdir(), 'accord-init-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('scaffolds policies, state, workflows and a README into a new directory', () => {
    const dir = join(parent, 'access');
    const run = runCli(['init', dir]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Created an accord repository in ${dir}`);
    for (const file of [
      'README.md',
      '.gitignore',
      'package.json',
      'policies/README.md',
      'policies/access.json',
      'state/README.md',
      '.github/workflows/ci.yml',
      '.github/workflows/plan.yml',
      '.github/workflows/apply.yml',
      '.github/workflows/reconcile.yml',
    ])
      expect(existsSync(join(dir, file))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies['accord-access']).toMatch(/^\^\d+\.\d+\.\d+$/);
  });

  it('writes a starter policy that accord validate accepts, even with --no-code', () => {
    const run = runCli(['validate', '--no-code', '--policies', join(parent, 'access', 'policies')]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Policy is valid: 5 documents, 1 access rule, 1 Salesforce org/);
  });

  it('refuses a non-empty directory, writing nothing, unless --force', () => {
    const dir = join(parent, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    const refused = runCli(['init', dir]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `error: ${dir} is not empty (notes.txt)\nhint: choose an empty or new directory, or pass --force to write the template files over what is there\n`,
    );
    expect(existsSync(join(dir, 'policies'))).toBe(false);

    const forced = runCli(['init', dir, '--force']);
    expect(forced.status).toBe(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(dir, 'policies', 'access.json'))).toBe(true);
  });

  it('accepts a directory that holds only .git (git init first)', () => {
    const dir = join(parent, 'fresh');
    mkdirSync(join(dir, '.git'), { recursive: true });
    expect(runCli(['init', dir]).status).toBe(0);
  });
});
