import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestRecord, Sandbox } from '@accord/sandbox';
import { runAccord } from '../apply/support/harness.js';
import { accordInProcess } from '../apply/support/in-process.js';
import {
  eventsSandbox,
  LOGIN_EVENTS,
  loginEventIds,
  readSink,
  repeated,
  scenario,
  upsertCalls,
  webhook,
  WEBHOOK_SECRET,
  type Webhook,
} from './support.js';

/**
 * UC-18 exactly once: `accord events pull` in a child process SIGKILLed at every point of a pull
 * (after each log read the sandbox answers, and before the webhook answers each delivery), then
 * pulled again: the sink holds every event exactly once (0 lost, 0 duplicated), and every alert
 * delivery arrived (0 lost; a delivery the killed run never heard back about is sent again with the
 * same `X-Accord-Delivery` id, which is at-least-once as documented).
 *
 * Pages of 5 make the 23 Okta and 17 OneLogin events 5 + 4 log reads. `npm test` runs two kill
 * points; ACCORD_CRASH_SWEEP=1 runs all 15 (two to three minutes on 2 cores).
 */
const OKTA_EVENTS = 23;
const ONELOGIN_EVENTS = 17;
const LOG_READS = Math.ceil(OKTA_EVENTS / 5) + Math.ceil(ONELOGIN_EVENTS / 5);
const FAILED = 6;
const sweep = process.env.ACCORD_CRASH_SWEEP === '1';
const readPoints = sweep ? Array.from({ length: LOG_READS }, (_, i) => i + 1) : [4];
const postPoints = sweep ? Array.from({ length: FAILED }, (_, i) => i + 1) : [2];

const isLogRead = (r: RequestRecord) =>
  r.method === 'GET' && (r.route === '/api/v1/logs' || r.route === '/api/1/events');
const isUpsert = (r: RequestRecord) =>
  r.tenant === 'salesforce:prod' &&
  r.method === 'PATCH' &&
  r.route === '/services/data/:version/composite/sobjects/:type/:field';

describe('UC-18 crash sweep over accord events pull', () => {
  let sandbox: Sandbox;
  let hook: Webhook;
  let expected: string[];
  const env = { ACCORD_WEBHOOK_SECRET: WEBHOOK_SECRET };

  beforeAll(async () => {
    sandbox = await eventsSandbox();
    hook = await webhook();
    const okta = sandbox.stores.okta;
    const onelogin = sandbox.stores.onelogin;
    const logins = okta.users().map((u) => u.profile.login);
    const usernames = onelogin.users().map((u) => u.username!);
    for (let i = 0; i < OKTA_EVENTS; i++) okta.recordSignIn(logins[i % 5]!, { success: i % 4 !== 0 });
    for (let i = 0; i < ONELOGIN_EVENTS; i++)
      onelogin.recordLogin(usernames[i % 3]!, { success: i % 17 !== 0 });
    expected = [
      ...okta.log.all().map((e) => `okta:${e.uuid}`),
      ...onelogin.events.all().map((e) => `onelogin:${e.id}`),
    ];
  });
  afterAll(async () => {
    await hook.close();
    await sandbox.close();
  });

  async function crash(point: { reads?: number; posts?: number }) {
    const s = scenario('crash', {
      alerts: [
        {
          id: 'failed-logins',
          when: { types: ['auth.login'], outcome: 'failure' },
          webhook: { url: hook.url, secretEnv: 'ACCORD_WEBHOOK_SECRET' },
        },
      ],
    });
    const args = s.args('--page-size', '5');
    hook.received.length = 0;
    try {
      let reads = 0;
      const killed = await runAccord(sandbox, args, {
        env,
        killAfter: (r) => point.reads !== undefined && isLogRead(r) && ++reads >= point.reads,
        onSpawn: (child) => {
          const base = hook.attempts();
          hook.beforeAnswer = (n) => {
            if (point.posts !== undefined && n - base >= point.posts) child.kill('SIGKILL');
          };
        },
      });
      hook.beforeAnswer = undefined;
      const writtenBeforeKill = readSink(s.sink).length;
      Object.assign(process.env, env);
      const resumed = await accordInProcess(sandbox, args);
      delete process.env.ACCORD_WEBHOOK_SECRET;
      const ids = readSink(s.sink).map((e) => e.id);
      const deliveries = hook.received.map((r) => r.deliveryId);
      const failures = readSink(s.sink).filter((e) => e.outcome === 'failure');
      return {
        signal: killed.signal,
        writtenBeforeKill,
        resumed: { status: resumed.status, stderr: resumed.stderr },
        lost: expected.filter((id) => !ids.includes(id)),
        duplicated: repeated(ids),
        // The sink keeps each platform's order.
        inOrder: ['okta', 'onelogin'].every((p) => {
          const mine = ids.filter((id) => id.startsWith(`${p}:`));
          return mine.join() === expected.filter((id) => id.startsWith(`${p}:`)).join();
        }),
        deliveriesLost: failures.map((e) => `failed-logins:${e.id}`).filter((d) => !deliveries.includes(d)),
        deliveriesRepeated: repeated(deliveries),
        verified: hook.received.every((r) => r.verified),
      };
    } finally {
      s.remove();
    }
  }

  it.each(readPoints)(
    'UC-18 killed after log read %i, then pulled again: 0 lost, 0 duplicated',
    async (k) => {
      const o = await crash({ reads: k });
      expect(o.signal).toBe('SIGKILL');
      expect(o.resumed).toEqual({ status: 0, stderr: '' });
      expect(o.lost).toEqual([]);
      expect(o.duplicated).toEqual([]);
      expect(o.inOrder).toBe(true);
      expect(o.deliveriesLost).toEqual([]);
      expect(o.deliveriesRepeated).toEqual([]);
      expect(o.verified).toBe(true);
    },
    60_000,
  );

  it.each(postPoints)(
    'UC-19 killed before the webhook answered delivery %i: every delivery arrives, the unanswered one again with its id',
    async (j) => {
      const o = await crash({ posts: j });
      expect(o.signal).toBe('SIGKILL');
      expect(o.resumed).toEqual({ status: 0, stderr: '' });
      expect(o.writtenBeforeKill).toBe(expected.length);
      expect(o.lost).toEqual([]);
      expect(o.duplicated).toEqual([]);
      expect(o.deliveriesLost).toEqual([]);
      // At least once: only the delivery the killed run never heard back about comes twice.
      expect(o.deliveriesRepeated.length).toBeLessThanOrEqual(1);
      expect(o.verified).toBe(true);
    },
    60_000,
  );
});

/**
 * UC-18 exactly once into Salesforce: a pull of 450 Okta events (3 upserts of 200, 200, 50 into
 * Login_Event__c) SIGKILLed after both log reads (before any upsert) and after each upsert the org
 * applied but whose answer the killed pull never read, then pulled again: every event of the JSON
 * lines sink is in the org exactly once (0 lost; the re-sent upsert updates what it made), the
 * resumed pull sends only from the sink's last durable place, and that place ends at the sink's end.
 * `npm test` runs one kill point; ACCORD_CRASH_SWEEP=1 runs all 4.
 */
const SF_EVENTS = 450;
const SF_UPSERTS = Math.ceil(SF_EVENTS / 200);
const upsertPoints = sweep ? Array.from({ length: SF_UPSERTS + 1 }, (_, i) => i) : [2];

describe('UC-18 crash sweep over the Salesforce events sink', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await eventsSandbox();
    const okta = sandbox.stores.okta;
    const logins = okta.users().map((u) => u.profile.login);
    for (let i = 0; i < SF_EVENTS; i++) okta.recordSignIn(logins[i % 9]!, { success: i % 5 !== 0 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it.each(upsertPoints)(
    'UC-18 killed after upsert %i (0: after the log reads), then pulled again: each event in the org exactly once',
    async (k) => {
      const s = scenario('crash-sf', { sinks: { salesforce: LOGIN_EVENTS } }, { salesforceOrgs: ['prod'] });
      sandbox.stores.salesforce.prod!.table('Login_Event__c').clear();
      try {
        let reads = 0;
        let upserts = 0;
        const killed = await runAccord(sandbox, s.args(), {
          killAfter: (r) => (k === 0 ? isLogRead(r) && ++reads >= 2 : isUpsert(r) && ++upserts >= k),
        });
        expect(killed.signal).toBe('SIGKILL');
        // What the killed pull's upserts left in the org: k calls' worth (the last one unanswered).
        expect(loginEventIds(sandbox)).toHaveLength(Math.min(SF_EVENTS, k * 200));
        sandbox.instrument.reset();
        const resumed = await accordInProcess(sandbox, s.args());
        expect(resumed).toMatchObject({ status: 0, stderr: '' });
        // Only from the last durable place: the unanswered call again, then the rest.
        expect(upsertCalls(sandbox)).toBe(SF_UPSERTS - Math.max(0, k - 1));
        const ids = readSink(s.sink).map((e) => e.id);
        expect(ids).toHaveLength(SF_EVENTS);
        expect(repeated(ids)).toEqual([]);
        const rows = loginEventIds(sandbox);
        expect(repeated(rows)).toEqual([]);
        expect([...rows].sort()).toEqual([...ids].sort());
        const place = JSON.parse(readFileSync(join(s.dir, 'test.events', 'salesforce.json'), 'utf8'));
        expect(place).toMatchObject({ offset: statSync(s.sink).size, retry: [] });
      } finally {
        s.remove();
      }
    },
    60_000,
  );
});
