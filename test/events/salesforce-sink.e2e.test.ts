import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '@accord/sandbox';
import { loadPolicy } from '../../src/policy/validate.js';
import { accordInProcess } from '../apply/support/in-process.js';
import {
  eventsSandbox,
  LOGIN_EVENTS,
  loginEventIds,
  logReads,
  readSink,
  repeated,
  scenario,
  upsertCalls,
  type Scenario,
} from './support.js';

/**
 * UC-18 the Salesforce custom-object sink: `accord events pull` upserts every event it writes to
 * the JSON lines sink into the sandbox org's Login_Event__c by Accord_Event_Id__c, 200 a call,
 * from its own place; an org outage keeps the backlog without stopping the pull, and refused
 * records are sent again on the next pull.
 */
describe('UC-18 the Salesforce events sink', () => {
  let sandbox: Sandbox;
  let s: Scenario;
  const pull = () => accordInProcess(sandbox, s.args());
  const okta = () => sandbox.stores.okta;
  const logins = () =>
    okta()
      .users()
      .map((u) => u.profile.login);
  const signIns = (n: number, success = (i: number) => i % 3 !== 0) => {
    for (let i = 0; i < n; i++)
      okta().recordSignIn(logins()[i % 7]!, { success: success(i), ipAddress: '192.0.2.1' });
  };
  const sinkIds = () => readSink(s.sink).map((e) => e.id);
  const place = () => JSON.parse(readFileSync(join(s.dir, 'test.events', 'salesforce.json'), 'utf8'));

  beforeAll(async () => {
    sandbox = await eventsSandbox();
    s = scenario('salesforce', { sinks: { salesforce: LOGIN_EVENTS } }, { salesforceOrgs: ['prod'] });
  });
  afterAll(async () => {
    await sandbox.close();
    s.remove();
  });

  it('UC-18 events pulled land in the org once each, ceil(n / 200) upserts', async () => {
    signIns(450);
    const onelogin = sandbox.stores.onelogin;
    for (const u of onelogin.users().slice(0, 3)) onelogin.recordLogin(u.username!, { success: false });
    sandbox.instrument.reset();
    const run = await pull();
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const ids = sinkIds();
    expect(ids).toHaveLength(453);
    expect(run.stdout).toContain(
      `salesforce prod Login_Event__c: ${ids.length} upserted in ${Math.ceil(ids.length / 200)} call(s)`,
    );
    expect(upsertCalls(sandbox)).toBe(Math.ceil(ids.length / 200));
    const rows = loginEventIds(sandbox);
    expect(repeated(rows)).toEqual([]);
    expect([...rows].sort()).toEqual([...ids].sort());
    // The default fields, from the normalised event.
    const first = readSink(s.sink).find((e) => e.source === 'okta' && e.type === 'auth.login')!;
    const row = sandbox.stores.salesforce
      .prod!.records('Login_Event__c')
      .find((r) => r.Accord_Event_Id__c === first.id)!;
    expect(row).toMatchObject({
      Name: expect.stringMatching(/^LE-\d{8}$/),
      Platform__c: 'okta',
      Source_Event_Id__c: first.sourceId,
      Source_Type__c: 'user.session.start',
      Event_Type__c: 'auth.login',
      Event_Time__c: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*\+0000$/),
      Outcome__c: first.outcome,
      Actor__c: first.actor.login,
      Actor_Id__c: first.actor.id,
      IP_Address__c: '192.0.2.1',
      Message__c: first.message,
    });
    expect(Date.parse(String(row.Event_Time__c).replace('+0000', 'Z'))).toBe(Date.parse(first.time));
    expect(place()).toMatchObject({ offset: statSync(s.sink).size, retry: [] });
  });

  it('UC-18 an idle pull makes no upsert; new events go in one call', async () => {
    sandbox.instrument.reset();
    expect(await pull()).toMatchObject({ status: 0, stderr: '' });
    expect(upsertCalls(sandbox)).toBe(0);
    signIns(5);
    sandbox.instrument.reset();
    const run = await pull();
    expect(run.stdout).toContain('salesforce prod Login_Event__c: 5 upserted in 1 call(s)');
    expect(upsertCalls(sandbox)).toBe(1);
    expect([...loginEventIds(sandbox)].sort()).toEqual([...sinkIds()].sort());
  });

  it('UC-18 an org outage keeps the backlog (the pull and the JSON lines sink go on), the next pull delivers it', async () => {
    signIns(7);
    sandbox.instrument.setFaults('salesforce:prod', { serverErrorRate: 1, methods: ['PATCH'] });
    const before = readSink(s.sink).length;
    const down = await pull();
    sandbox.instrument.clearFaults();
    expect(down.status).toBe(3);
    expect(down.stdout).toContain('okta: 7 new event(s)');
    expect(down.stdout).toMatch(
      /salesforce prod Login_Event__c: 0 upserted in 1 call\(s\), 7 waiting \(failed: .*the backlog goes out on the next pull\)/,
    );
    expect(readSink(s.sink).length).toBe(before + 7);
    expect(loginEventIds(sandbox).length).toBe(before);
    sandbox.instrument.reset();
    const up = await pull();
    expect(up).toMatchObject({ status: 0, stderr: '' });
    // The cursor moved during the outage: one read per platform, nothing read twice.
    expect(logReads(sandbox, 'okta')).toBe(1);
    expect(up.stdout).toContain('salesforce prod Login_Event__c: 7 upserted in 1 call(s)');
    const rows = loginEventIds(sandbox);
    expect(repeated(rows)).toEqual([]);
    expect([...rows].sort()).toEqual([...sinkIds()].sort());
  });

  it('UC-18 records the org refuses are reported and sent again on the next pull', async () => {
    // A failure's reason is not a Date/Time: the org refuses those records, and takes the rest.
    s.setEvents({
      sinks: { salesforce: { ...LOGIN_EVENTS, fields: { reason: 'Event_Time__c', time: null } } },
    });
    signIns(6, (i) => i % 2 === 0);
    const refused = await pull();
    expect(refused.status).toBe(3);
    expect(refused.stdout).toMatch(
      /salesforce prod Login_Event__c: 3 upserted in 1 call\(s\), 3 refused \(sent again on the next pull; first: okta:\S+: INVALID_TYPE_ON_FIELD_IN_RECORD/,
    );
    expect(place().retry).toHaveLength(3);
    s.setEvents({ sinks: { salesforce: LOGIN_EVENTS } });
    sandbox.instrument.reset();
    const again = await pull();
    expect(again).toMatchObject({ status: 0, stderr: '' });
    expect(again.stdout).toContain('salesforce prod Login_Event__c: 3 upserted in 1 call(s)');
    expect(place().retry).toEqual([]);
    const rows = loginEventIds(sandbox);
    expect(repeated(rows)).toEqual([]);
    expect([...rows].sort()).toEqual([...sinkIds()].sort());
  });
});

describe('UC-18 the Salesforce events sink in the policy', () => {
  it('UC-18 validation points at an unknown org, names that are not custom, and a field written twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-events-sf-policy-'));
    try {
      writeFileSync(
        join(dir, 'a.json'),
        JSON.stringify({ platforms: { okta: {}, salesforce: { prod: {} } }, identity: { source: 'okta' } }),
      );
      writeFileSync(
        join(dir, 'b.json'),
        JSON.stringify({
          events: {
            sinks: {
              salesforce: {
                org: 'prd',
                object: 'LoginEvent',
                externalIdField: 'Name',
                fields: { actor: 'Actor__c', target: 'actor__c', 'client.ip': 'IP Address', message: null },
              },
            },
          },
        }),
      );
      const { diagnostics } = await loadPolicy(dir, {});
      expect(diagnostics.map((d) => [d.code, d.file.split('/').pop(), d.pointer])).toEqual(
        expect.arrayContaining([
          ['events.unknown-org', 'b.json', '/events/sinks/salesforce/org'],
          ['events.salesforce-object', 'b.json', '/events/sinks/salesforce/object'],
          ['events.salesforce-field', 'b.json', '/events/sinks/salesforce/externalIdField'],
          ['events.salesforce-field', 'b.json', '/events/sinks/salesforce/fields/client.ip'],
          ['events.salesforce-field-twice', 'b.json', '/events/sinks/salesforce/fields/target'],
        ]),
      );
      expect(diagnostics.find((d) => d.code === 'events.unknown-org')?.hint).toContain('prod');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
