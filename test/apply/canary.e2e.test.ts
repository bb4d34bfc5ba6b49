import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Sandbox } from '@accord/sandbox';
import { echoProxy, type EchoProxy } from './support/echo-proxy.js';
import { loopbackSandbox, runAccord, scratch, type CliRun } from './support/harness.js';

/**
 * Issue 15, "no leaked secrets": every credential is a canary, and a hostile middleman echoes the
 * request's Authorization header and body in every error, failing every third write that way
 * (Okta and OneLogin error bodies, Salesforce per-record errors). Across plan, apply, drift and
 * audit verify, no output (stdout, stderr, plan file, state, audit log) holds a canary or a token
 * the platforms issued.
 */
describe('a canary secret in every credential, echoed back by the servers', () => {
  let sandbox: Sandbox;
  let proxy: EchoProxy;
  const dir = scratch('canary');
  const runs: Record<string, CliRun> = {};
  // emea signs in with the OAuth client-credentials flow, so a token request is echoed too.
  const env = () => ({ ...proxy.env, SF_EMEA_ACCESS_TOKEN: '' });

  beforeAll(async () => {
    sandbox = await loopbackSandbox({ people: 30, seed: 11 });
    proxy = await echoProxy(sandbox, { failEveryNthWrite: 3 });
    const state = ['--state', dir.state];
    runs.plan = await runAccord(
      sandbox,
      ['plan', '--format', 'json', '--out', join(dir.dir, 'plan.json'), ...state],
      {
        env: env(),
      },
    );
    runs.apply = await runAccord(
      sandbox,
      ['apply', '--auto-approve', '--allow-large-change', ...state, '--audit', dir.audit],
      {
        env: env(),
      },
    );
    runs.drift = await runAccord(sandbox, ['drift', '--format', 'markdown', ...state], { env: env() });
    runs.verify = await runAccord(sandbox, ['audit', 'verify', ...state, '--audit', dir.audit], {
      env: env(),
    });
  }, 180_000);

  afterAll(async () => {
    await proxy.close();
    await sandbox.close();
    dir.remove();
  });

  const leaks = (text: string) => proxy.secrets().filter((s) => text.includes(s));

  it('really met echoed credentials and failed writes', () => {
    expect(proxy.echoes).toBeGreaterThan(0);
    expect([0, 4]).toContain(runs.plan!.status); // 4: blocked by the cap, still a full plan
    expect(runs.apply!.stdout).toMatch(/Apply complete: \d+ applied, [1-9]\d* failed/);
    expect(runs.apply!.stdout).toContain('***');
  });

  it.each(['plan', 'apply', 'drift', 'verify'])('`%s` prints no secret', (name) => {
    const run = runs[name]!;
    expect(leaks(run.stdout)).toEqual([]);
    expect(leaks(run.stderr)).toEqual([]);
  });

  it('the plan file, state, audit log and journal hold no secret', () => {
    const files = readdirSync(dir.dir).map((f) => join(dir.dir, f));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files.filter((f) => existsSync(f)))
      expect({ file, leaks: leaks(readFileSync(file, 'utf8')) }).toEqual({ file, leaks: [] });
  });

  it('a refused token request that echoes the client secret prints none of it', async () => {
    const refusing = await echoProxy(sandbox, { refuseTokens: true });
    try {
      const run = await runAccord(sandbox, ['plan', '--state', dir.state], {
        env: { ...refusing.env, SF_EMEA_ACCESS_TOKEN: '' },
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^error: /);
      expect(refusing.echoes).toBeGreaterThan(0);
      expect(refusing.secrets().filter((s) => (run.stdout + run.stderr).includes(s))).toEqual([]);
    } finally {
      await refusing.close();
    }
  }, 60_000);
});
