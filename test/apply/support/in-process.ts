/**
 * Runs the real `accord` command line (src/cli/main.ts, the code bin/accord.js runs) inside the
 * test process, pointed at a sandbox through process.env, with stdout and stderr captured. Much
 * cheaper than a child process (no second TypeScript start-up), for tests that run it many times.
 * One call at a time: it swaps process-wide state (env, stdout, exitCode) for the call.
 */
import { main } from '../../../src/cli/main.js';
import type { Sandbox } from '@accord/sandbox';
import { repoRoot } from './harness.js';

export interface InProcessRun {
  status: number;
  stdout: string;
  stderr: string;
}

let busy = false;

/** `cwd`: where it runs (the repository root by default), e.g. a scenario's own git repository. */
export async function accordInProcess(
  sandbox: Sandbox,
  args: string[],
  { cwd = repoRoot }: { cwd?: string } = {},
): Promise<InProcessRun> {
  if (busy) throw new Error('accordInProcess: one call at a time');
  busy = true;
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let stdout = '';
  let stderr = '';
  Object.assign(process.env, sandbox.env, { NO_COLOR: '1', FORCE_COLOR: '0' });
  process.chdir(cwd);
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
    busy = false;
  }
}

/** `accord apply --auto-approve --allow-large-change` on a scenario's state and audit paths, in-process. */
export const applyInProcess = (sandbox: Sandbox, dir: { state: string; audit: string }) =>
  accordInProcess(sandbox, [
    'apply',
    '--auto-approve',
    '--allow-large-change',
    '--state',
    dir.state,
    '--audit',
    dir.audit,
  ]);

/** Where a scenario runs: its sandbox, its copied policy folder, its state and audit paths. */
export interface Scenario {
  sandbox: Sandbox;
  policies: string;
  dir: { state: string; audit: string };
}

/**
 * `plan` or `apply` (auto-approved, large changes allowed) in a scenario, in-process; `extra`
 * arguments go last. The scenario is read at each run, so tests may set it up in `beforeAll`.
 */
export const planOrApplyIn =
  (scenario: () => Scenario) =>
  (command: 'plan' | 'apply', ...extra: string[]) => {
    const { sandbox, policies, dir } = scenario();
    return accordInProcess(sandbox, [
      command,
      '--policies',
      policies,
      '--state',
      dir.state,
      ...(command === 'apply' ? ['--auto-approve', '--allow-large-change', '--audit', dir.audit] : []),
      ...extra,
    ]);
  };
