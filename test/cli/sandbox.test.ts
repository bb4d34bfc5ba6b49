import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `accord sandbox` as a user runs it: a child process, stdout for the shell, signals to stop. */

const BIN = join(process.cwd(), 'bin', 'accord.js');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor(what: string, condition: () => boolean, r: Run, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  let exited = false;
  void r.exit.then(() => (exited = true));
  while (!condition()) {
    if (exited || Date.now() > deadline) {
      throw new Error(`no ${what} (exited: ${exited})\nstdout:\n${r.stdout()}\nstderr:\n${r.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What a POSIX shell makes of the export lines: the real test of their quoting. */
function sourceExports(stdout: string): Record<string, string> {
  const shell = spawnSync('sh', ['-c', `${stdout}\nenv -0`], { env: {}, encoding: 'utf8' });
  expect(shell.status).toBe(0);
  const env: Record<string, string> = {};
  for (const entry of shell.stdout.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

describe('accord sandbox (CLI)', () => {
  const children: ChildProcess[] = [];
  let dir: string | undefined;
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('prints export lines, serves until SIGTERM, then exits 0 and saves --data', async () => {
    dir = await mkdtemp(join(tmpdir(), 'accord-sandbox-cli-'));
    const data = join(dir, 'tenants.json');
    const r = run(['sandbox', '--port', '0', '--people', '40', '--seed', '3', '--data', data]);
    children.push(r.child);
    await waitFor('summary on stderr', () => r.stderr().includes('Ctrl-C'), r);
    const lines = r.stdout().trim().split('\n');
    // stdout is only export lines, so it can be sourced as it is.
    for (const line of lines) expect(line).toMatch(/^export [A-Z_][A-Z0-9_]*='/);
    const env = sourceExports(r.stdout());
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['OKTA_ORG_URL', 'OKTA_API_TOKEN']));
    expect(env.OKTA_ORG_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.SF_PROD_INSTANCE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${env.OKTA_ORG_URL}/api/v1/users?limit=1`, {
      headers: { authorization: `SSWS ${env.OKTA_API_TOKEN}`, accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveLength(1);
    // The Salesforce token is shaped like a real one, which output redaction replaces everywhere
    // else; here it must come through whole, or the sourced lines point nothing at the sandbox.
    const soql = await fetch(
      `${env.SF_PROD_INSTANCE_URL}/services/data/v62.0/query?q=SELECT+Id+FROM+Profile`,
      {
        headers: { authorization: `Bearer ${env.SF_PROD_ACCESS_TOKEN}` },
      },
    );
    expect(soql.status).toBe(200);

    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    expect(r.stderr()).toMatch(/requests: okta 1\b/);
    expect(r.stderr()).toMatch(/1 {2}okta GET \/api\/v1\/users/);
    expect(existsSync(data)).toBe(true);
  }, 20_000);

  it('rejects a bad --port with one clear line and exit 1', async () => {
    const r = run(['sandbox', '--port', 'abc']);
    children.push(r.child);
    expect(await r.exit).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe("error: option '--port <n>' must be a whole number from 0 to 65532, got 'abc'\n");
    expect(r.stderr()).not.toMatch(/\n\s+at /);
  }, 15_000);

  it('describes every option in --help', async () => {
    const r = run(['sandbox', '--help']);
    children.push(r.child);
    expect(await r.exit).toBe(0);
    for (const flag of ['--port', '--people', '--seed', '--data', 'SIGTERM', 'export']) {
      expect(r.stdout()).toContain(flag);
    }
  }, 15_000);
});
