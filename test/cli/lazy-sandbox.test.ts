import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from './run-cli.js';

/** Every module URL `accord ARGS` resolved, traced by a preloaded resolve hook. */
function modulesLoadedBy(args: string[]): string[] {
  const trace = join(mkdtempSync(join(tmpdir(), 'accord-trace-')), 'modules.txt');
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      join(repoRoot, 'test/cli/support/trace-resolve.mjs'),
      join(repoRoot, 'bin/accord.js'),
      ...args,
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', ACCORD_TRACE_RESOLVE: trace },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  expect(run.status).toBe(0);
  return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
}
const sandboxModules = (urls: string[]) =>
  urls.filter((u) => /\/node_modules\/msw\/|packages\/sandbox\/src\/index\.ts/.test(u));

describe('the sandbox package is loaded only when asked for', () => {
  it.each([[['--help']], [['validate']], [['plan', '--help']]])(
    'accord %j loads neither the sandbox nor msw',
    (args) => {
      const urls = modulesLoadedBy(args);
      expect(urls.length).toBeGreaterThan(50);
      expect(sandboxModules(urls)).toEqual([]);
    },
  );

  it('accord plan --sandbox loads both', () => {
    const urls = modulesLoadedBy(['plan', '--sandbox', '--people', '20']);
    expect(urls.some((u) => u.endsWith('packages/sandbox/src/index.ts'))).toBe(true);
    expect(urls.some((u) => u.includes('/node_modules/msw/'))).toBe(true);
  }, 60_000);
});
