import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../run-cli.js';

/**
 * Every module URL `accord ARGS` resolved, traced by a preloaded resolve hook (trace-resolve.mjs),
 * with what the run printed. A child process: what a process loads cannot be seen from inside jest.
 */
export function modulesLoadedBy(args: string[]): { status: number | null; stdout: string; urls: string[] } {
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
  return {
    status: run.status,
    stdout: run.stdout,
    urls: readFileSync(trace, 'utf8').split('\n').filter(Boolean),
  };
}
