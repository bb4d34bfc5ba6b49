import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Sandbox } from '@accord/sandbox';
import { accordInProcess } from '../apply/support/in-process.js';
import { eventsSandbox, logReads, readSink, scenario, type Scenario } from './support.js';

/**
 * UC-18 login audit: `accord events pull` against the sandbox through the real clients (the Okta
 * SDK's systemLogApi, got for OneLogin), the normalised schema, Link paging and incremental pulls
 * with the log reads counted.
 */
describe('UC-18 accord events pull', () => {
  let sandbox: Sandbox;
  let s: Scenario;
  const pull = (...more: string[]) => accordInProcess(sandbox, s.args(...more));

  beforeAll(async () => {
    sandbox = await eventsSandbox();
    s = scenario('pull');
  });
  afterAll(async () => {
    await sandbox.close();
    s.remove();
  });

  it('UC-18 pulls the Okta System Log and OneLogin events into one normalised schema', async () => {
    const okta = sandbox.stores.okta;
    const onelogin = sandbox.stores.onelogin;
    const ana = okta.users()[0]!;
    const bob = onelogin.users()[0]!;
    okta.recordSignIn(ana.profile.login, { ipAddress: '192.0.2.7', userAgent: 'Firefox' });
    okta.recordSignIn(ana.profile.login, { success: false, reason: 'INVALID_CREDENTIALS' });
    okta.grantAdminRole(ana.profile.login, 'ORG_ADMIN');
    onelogin.recordLogin(bob.username!, { ipaddr: '198.51.100.9' });
    onelogin.recordLogin(bob.username!, { success: false });
    onelogin.recordOtpDeviceRemoved(bob.username!);

    const run = await pull();
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(run.stdout).toContain('okta: 3 new event(s) in 1 request(s)');
    expect(run.stdout).toContain('onelogin: 3 new event(s) in 1 request(s)');
    const events = readSink(s.sink);
    // Each platform's events in its order; the two platforms' pages may interleave.
    const of = (source: string) => events.filter((e) => e.source === source).map((e) => [e.type, e.outcome]);
    expect(of('okta')).toEqual([
      ['auth.login', 'success'],
      ['auth.login', 'failure'],
      ['admin.privilege.granted', 'success'],
    ]);
    expect(of('onelogin')).toEqual([
      ['auth.login', 'success'],
      ['auth.login', 'failure'],
      ['auth.factor.reset', 'success'],
    ]);
    const first = events.find((e) => e.source === 'okta')!;
    const uuid = okta.log.all()[okta.log.all().length - 3]!.uuid;
    expect(first).toEqual({
      id: `okta:${uuid}`,
      source: 'okta',
      sourceId: uuid,
      sourceType: 'user.session.start',
      type: 'auth.login',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      outcome: 'success',
      reason: null,
      actor: { id: ana.id, type: 'User', login: ana.profile.login, name: expect.any(String) },
      target: [],
      client: { ip: '192.0.2.7', userAgent: 'Firefox' },
      message: 'User login to Okta',
    });
    const failed = events.find((e) => e.source === 'onelogin' && e.outcome === 'failure')!;
    expect(failed).toMatchObject({
      sourceType: 'event_type_id:6',
      actor: { id: String(bob.id), type: 'User' },
      target: [{ id: String(bob.id), type: 'User' }],
    });
  });

  it('UC-18 a second pull reads only what is new: one request per platform, nothing written twice', async () => {
    const before = readSink(s.sink).length;
    sandbox.instrument.reset();
    const idle = await pull();
    expect(idle.stdout).toContain('okta: 0 new event(s) in 1 request(s)');
    expect(idle.stdout).toContain('onelogin: 0 new event(s) in 1 request(s)');
    expect({ okta: logReads(sandbox, 'okta'), onelogin: logReads(sandbox, 'onelogin') }).toEqual({
      okta: 1,
      onelogin: 1,
    });
    const user = sandbox.stores.okta.users()[1]!;
    sandbox.stores.okta.recordMfaBypass(user.profile.login);
    const again = await pull();
    expect(again.stdout).toContain('okta: 1 new event(s) in 1 request(s)');
    const events = readSink(s.sink);
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({ type: 'auth.mfa.bypass', target: [{ id: user.id }] });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('UC-18 follows the Link header: 2,500 Okta events in 3 requests, 120 OneLogin events in 3', async () => {
    const okta = sandbox.stores.okta;
    const onelogin = sandbox.stores.onelogin;
    const login = okta.users()[2]!.profile.login;
    const username = onelogin.users()[1]!.username!;
    for (let i = 0; i < 2500; i++) okta.recordSignIn(login, { success: i % 2 === 0 });
    for (let i = 0; i < 120; i++) onelogin.recordLogin(username, { success: i % 3 !== 0 });
    const before = readSink(s.sink).length;
    sandbox.instrument.reset();
    const run = await pull('-f', 'json');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as {
      sources: { platform: string; pages: number; events: number }[];
    };
    expect(report.sources).toEqual([
      expect.objectContaining({ platform: 'okta', pages: 3, events: 2500 }),
      expect.objectContaining({ platform: 'onelogin', pages: 3, events: 120 }),
    ]);
    // Okta: limit 1000 → pages of 1000, 1000, 500; OneLogin: limit 50 → 50, 50, 20.
    expect({ okta: logReads(sandbox, 'okta'), onelogin: logReads(sandbox, 'onelogin') }).toEqual({
      okta: 3,
      onelogin: 3,
    });
    const next = sandbox.instrument.requests({ tenant: 'okta', route: '/api/v1/logs' });
    expect(next.slice(1).every((r) => r.url.includes('after='))).toBe(true);
    const events = readSink(s.sink);
    expect(events).toHaveLength(before + 2620);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('UC-18 a 5xx or a 429 on a log read is retried; the answered reads stay one per page', async () => {
    const okta = sandbox.stores.okta;
    const onelogin = sandbox.stores.onelogin;
    for (let i = 0; i < 40; i++) okta.recordSignIn(okta.users()[3]!.profile.login, { success: false });
    for (let i = 0; i < 40; i++) onelogin.recordLogin(onelogin.users()[2]!.username!, { success: false });
    const before = readSink(s.sink).length;
    sandbox.instrument.reset();
    // OneLogin's rate-limit fault is a spent hourly budget (a wait of up to an hour): 5xx only there.
    sandbox.instrument.setFaults('okta', { serverErrorRate: 0.15, rateLimitRate: 0.1, methods: ['GET'] }, 18);
    sandbox.instrument.setFaults('onelogin', { serverErrorRate: 0.25, methods: ['GET'] });
    try {
      const run = await pull('--page-size', '10');
      expect(run.status).toBe(0);
      expect(run.stderr).toMatch(/waiting .* \(attempt 2 of 5\)/);
      expect(run.stdout).toContain('okta: 40 new event(s) in 5 request(s)');
      expect(run.stdout).toContain('onelogin: 40 new event(s) in 5 request(s)');
    } finally {
      sandbox.instrument.clearFaults();
    }
    const faulted = sandbox.instrument.requests({ method: 'GET' }).filter((r) => r.fault !== undefined);
    expect(faulted.length).toBeGreaterThan(0);
    // Okta: 40 at 10 a page is 4 full pages and an empty one. OneLogin: `since` is inclusive, so
    // the last event of the previous pull comes again (and is skipped): 41 at 10 a page.
    expect({ okta: logReads(sandbox, 'okta'), onelogin: logReads(sandbox, 'onelogin') }).toEqual({
      okta: 5,
      onelogin: 5,
    });
    const events = readSink(s.sink);
    expect(events).toHaveLength(before + 80);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  }, 60_000);
});
