import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `accord` as a user would (bin/accord.js in a child process) and captures everything. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, [`${repoRoot}bin/accord.js`, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface MainRun {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `accord ARGS` through `main()` inside the test process (no second TypeScript start-up,
 * so far cheaper than `runCli`), with stdout and stderr captured and `env` added to process.env
 * for the call. One call at a time: it swaps process-wide state (env, cwd, stdout, exitCode).
 */
export async function runMain(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<MainRun> {
  const { main } = await import('../../src/cli/main.js');
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let stdout = '';
  let stderr = '';
  Object.assign(process.env, { NO_COLOR: '1', FORCE_COLOR: '0' }, options.env);
  process.chdir(options.cwd ?? repoRoot);
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const status = await main(['node', 'accord', ...args]);
    return { status, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
    process.chdir(savedCwd);
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  }
}
