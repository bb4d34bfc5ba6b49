import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Sandbox } from '@accord/sandbox';
import {
  describeChanges,
  duplicates,
  freshPlan,
  loopbackSandbox,
  runAccord,
  scratch,
  type CliRun,
} from './support/harness.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * 429s (Okta), 5xx errors and connection resets on every platform during an apply (drawn from
 * one seeded sequence in arrival order, plus a 429 on every 7th Okta request): the apply
 * completes, or fails some changes that a second run finishes; either way live state converges
 * with no duplicates.
 */
describe('accord apply under injected faults', () => {
  let sandbox: Sandbox;
  const dir = scratch('faults');
  const args = () => ['apply', '--auto-approve', '--state', dir.state, '--audit', dir.audit];
  let first: CliRun;
  let second: CliRun | undefined;
  let faultedWrites = 0;

  beforeAll(async () => {
    sandbox = await loopbackSandbox({ people: 80, seed: 13 });
    sandbox.instrument.setFaults('okta', {
      rateLimitRate: 0.1,
      serverErrorRate: 0.05,
      resetRate: 0.03,
      burstEvery: 7,
      burstLength: 1,
    });
    // OneLogin's only rate limit is its hourly budget: a 429 says "come back in up to an hour"
    // (X-RateLimit-Reset), and the client rightly waits that long, so a 429 here would stall the
    // run rather than test a retry. Likewise Salesforce's "rate limit" is the daily API limit
    // (REQUEST_LIMIT_EXCEEDED), which rightly stops a run. Their transient faults are 5xx errors
    // and resets.
    sandbox.instrument.setFaults('onelogin', { serverErrorRate: 0.08, resetRate: 0.05 });
    sandbox.instrument.setFaults('salesforce:*', { serverErrorRate: 0.08, resetRate: 0.05 }, 4242);
    first = await runAccord(sandbox, args());
    faultedWrites = sandbox.instrument.log.filter((r) => r.fault && !READS.has(r.method)).length;
    sandbox.instrument.clearFaults();
    if (first.status !== 0) second = await runAccord(sandbox, args());
  }, 90_000);
  afterAll(async () => {
    await sandbox.close();
    dir.remove();
  });

  it('met faults on writes, and still completed (at most one more run)', () => {
    expect(faultedWrites).toBeGreaterThan(0);
    expect(first.status === 0 || first.status === 1).toBe(true);
    expect(first.stdout).toMatch(/Apply complete: \d+ applied/);
    const last = second ?? first;
    expect({
      status: last.status,
      tail: last.status === 0 ? '' : last.stdout.slice(-2000) + last.stderr,
    }).toEqual({
      status: 0,
      tail: '',
    });
  });

  it('converged: a fresh plan is empty and nothing is duplicated', async () => {
    expect(describeChanges(await freshPlan(sandbox, dir.state))).toEqual([]);
    expect(duplicates(sandbox)).toEqual([]);
  }, 30_000);
});
