import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { renameSync } from 'node:fs';
import type { Sandbox } from '@accord/sandbox';
import { accordInProcess } from '../apply/support/in-process.js';
import type { EventAlert } from '../../src/policy/types.js';
import { eventsSandbox, readSink, scenario, webhook, WEBHOOK_SECRET, type Scenario } from './support.js';

/**
 * UC-19 security events: declared filters over the normalised stream, delivered to a real local
 * webhook with an HMAC-SHA256 signature, retried, and kept in a per-alert backlog while a target
 * is down, without holding up the pull or any other alert.
 */
describe('UC-19 security alerts', () => {
  let sandbox: Sandbox;
  const env = { ACCORD_WEBHOOK_SECRET: WEBHOOK_SECRET, OTHER_SECRET: 'other-secret' };
  const pull = (s: Scenario, ...more: string[]) => {
    Object.assign(process.env, env);
    return accordInProcess(sandbox, s.args(...more));
  };
  const alert = (
    id: string,
    url: string,
    when: EventAlert['when'],
    secretEnv = 'ACCORD_WEBHOOK_SECRET',
  ): EventAlert => ({
    id,
    when,
    webhook: { url, secretEnv, maxAttempts: 2 },
  });

  beforeAll(async () => {
    sandbox = await eventsSandbox();
  });
  afterAll(async () => {
    for (const k of Object.keys(env)) delete process.env[k];
    await sandbox.close();
  });

  it('UC-19 sends a failed-login burst, a factor reset and an admin grant, signed', async () => {
    const hook = await webhook();
    const s = scenario('alerts', {});
    try {
      s.setEvents({
        alerts: [
          alert('failed-login-burst', hook.url, {
            types: ['auth.login'],
            outcome: 'failure',
            burst: { count: 3, withinMinutes: 10, by: 'actor' },
          }),
          alert('factor-reset', hook.url, { types: ['auth.factor.reset', 'auth.mfa.bypass'] }),
          alert('admin-grants', hook.url, { types: ['admin.privilege.granted'] }),
        ],
      });
      const okta = sandbox.stores.okta;
      const onelogin = sandbox.stores.onelogin;
      const [ana, cy] = okta.users();
      const bob = onelogin.users()[0]!;
      // A first pull sets the alerts' place; only what happens after it is sent.
      expect((await pull(s)).status).toBe(0);
      for (let i = 0; i < 4; i++) okta.recordSignIn(ana!.profile.login, { success: false });
      okta.recordSignIn(cy!.profile.login, { success: false });
      okta.recordSignIn(ana!.profile.login);
      onelogin.recordOtpDeviceRemoved(bob.username!);
      okta.recordFactorReset(cy!.profile.login);
      okta.grantAdminRole(ana!.profile.login, 'SUPER_ADMIN');
      onelogin.grantPrivilege(bob.username!, 'Super user');

      const run = await pull(s);
      expect(run).toMatchObject({ status: 0, stderr: '' });
      expect(run.stdout).toContain('alert failed-login-burst: 1 delivered');
      expect(run.stdout).toContain('alert factor-reset: 2 delivered');
      expect(run.stdout).toContain('alert admin-grants: 2 delivered');
      expect(hook.received.every((r) => r.verified)).toBe(true);
      const burst = hook.received.filter((r) => r.alert === 'failed-login-burst');
      expect(burst).toHaveLength(1);
      expect(burst[0]!.body).toMatchObject({ kind: 'burst', key: `okta:${ana!.id}`, count: 3 });
      expect(burst[0]!.body.events.every((e) => e.actor.id === ana!.id && e.outcome === 'failure')).toBe(
        true,
      );
      expect(
        hook.received
          .filter((r) => r.alert === 'factor-reset')
          .map((r) => r.body.events[0]!.source)
          .sort(),
      ).toEqual(['okta', 'onelogin']);
      expect(
        hook.received.filter((r) => r.alert === 'admin-grants').map((r) => r.body.events[0]!.target[0]!.id),
      ).toEqual(expect.arrayContaining([ana!.id, String(bob.id)]));
      // Nothing is sent twice by the next pull.
      const count = hook.received.length;
      expect((await pull(s)).status).toBe(0);
      expect(hook.received).toHaveLength(count);
    } finally {
      await hook.close();
      s.remove();
    }
  });

  it('UC-19 a webhook outage keeps the backlog, and the next pull delivers it in order', async () => {
    const hook = await webhook();
    const s = scenario('outage');
    try {
      s.setEvents({ alerts: [alert('admin-grants', hook.url, { types: ['admin.privilege.granted'] })] });
      expect((await pull(s)).status).toBe(0);
      const okta = sandbox.stores.okta;
      const logins = okta
        .users()
        .slice(0, 4)
        .map((u) => u.profile.login);
      const attemptsBefore = hook.attempts();
      const receivedBefore = hook.received.length;
      hook.status(500);
      for (const login of logins.slice(0, 3)) okta.grantAdminRole(login);
      const down = await pull(s);
      expect(down.status).toBe(3);
      expect(down.stdout).toMatch(/alert admin-grants: 0 delivered, 3 waiting \(webhook failed: HTTP 500/);
      // Retried (maxAttempts 2) on the first delivery, then the alert stopped: the rest wait.
      expect(hook.attempts() - attemptsBefore).toBe(2);
      expect(hook.received).toHaveLength(receivedBefore);
      // The events themselves were written, and the cursor moved on.
      const grants = readSink(s.sink).filter((e) => e.type === 'admin.privilege.granted');
      expect(grants.slice(-3).map((e) => e.target[0]!.login)).toEqual(logins.slice(0, 3));

      hook.status(200);
      okta.grantAdminRole(logins[3]!);
      const up = await pull(s);
      expect(up).toMatchObject({ status: 0, stderr: '' });
      expect(up.stdout).toContain('okta: 1 new event(s)');
      expect(up.stdout).toContain('alert admin-grants: 4 delivered');
      const sent = hook.received.slice(receivedBefore);
      expect(sent.map((r) => r.body.events[0]!.target[0]!.login)).toEqual(logins);
      expect(hook.received.map((r) => r.deliveryId)).toEqual(
        readSink(s.sink)
          .filter((e) => e.type === 'admin.privilege.granted')
          .map((e) => `admin-grants:${e.id}`),
      );
    } finally {
      await hook.close();
      s.remove();
    }
  });

  it('UC-19 one failing target does not block another', async () => {
    const down = await webhook();
    const up = await webhook('other-secret');
    const s = scenario('two-targets');
    try {
      down.status(503);
      s.setEvents({
        alerts: [
          alert('to-down', down.url, { types: ['auth.mfa.bypass'] }),
          alert('to-up', up.url, { types: ['auth.mfa.bypass'] }, 'OTHER_SECRET'),
        ],
      });
      expect((await pull(s)).status).toBe(0);
      const login = sandbox.stores.okta.users()[5]!.profile.login;
      sandbox.stores.okta.recordMfaBypass(login);
      sandbox.stores.okta.recordMfaBypass(login);
      const run = await pull(s);
      expect(run.status).toBe(3);
      expect(run.stdout).toContain('alert to-up: 2 delivered');
      expect(run.stdout).toMatch(/alert to-down: 0 delivered, 2 waiting/);
      expect(up.received.map((r) => r.verified)).toEqual([true, true]);
      expect(down.received).toEqual([]);
    } finally {
      await down.close();
      await up.close();
      s.remove();
    }
  });

  it('UC-19 a sink rotated by renaming starts a new file, and the alerts go on in it', async () => {
    const hook = await webhook();
    const s = scenario('rotate');
    try {
      s.setEvents({ alerts: [alert('mfa', hook.url, { types: ['auth.mfa.bypass'] })] });
      expect((await pull(s)).status).toBe(0);
      const okta = sandbox.stores.okta;
      const login = okta.users()[6]!.profile.login;
      okta.recordMfaBypass(login);
      expect((await pull(s)).status).toBe(0);
      const sent = hook.received.length;
      renameSync(s.sink, `${s.sink}.1`);
      okta.recordMfaBypass(login);
      const run = await pull(s);
      expect(run).toMatchObject({ status: 0, stderr: '' });
      expect(readSink(s.sink).map((e) => e.type)).toEqual(['auth.mfa.bypass']);
      expect(hook.received).toHaveLength(sent + 1);
      expect(hook.received.at(-1)!.body.events[0]!.id).toBe(readSink(s.sink)[0]!.id);
    } finally {
      await hook.close();
      s.remove();
    }
  });
});
