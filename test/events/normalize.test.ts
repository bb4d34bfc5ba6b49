import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyAlertState, stepAlert, type AlertState } from '../../src/events/alerts.js';
import { fromOkta, fromOneLogin } from '../../src/events/normalize.js';
import type { NormalizedEvent } from '../../src/events/schema.js';
import type { EventAlert } from '../../src/policy/types.js';
import { loadPolicy } from '../../src/policy/validate.js';

describe('UC-18 the normaliser', () => {
  it('UC-18 maps an Okta LogEvent, and keeps an unknown eventType as other', () => {
    const raw = {
      uuid: 'u-1',
      published: '2026-12-01T10:00:00.000Z',
      eventType: 'user.session.start',
      outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
      actor: { id: '00u1', type: 'User', alternateId: 'ana@acme.test', displayName: 'Ana' },
      client: { ipAddress: '192.0.2.1', userAgent: { rawUserAgent: 'curl' } },
      target: [{ id: '00g1', type: 'UserGroup', alternateId: 'unknown', displayName: 'Sales' }],
      displayMessage: 'User login to Okta',
    };
    expect(fromOkta(raw)).toEqual({
      id: 'okta:u-1',
      source: 'okta',
      sourceId: 'u-1',
      sourceType: 'user.session.start',
      type: 'auth.login',
      time: '2026-12-01T10:00:00.000Z',
      outcome: 'failure',
      reason: 'INVALID_CREDENTIALS',
      actor: { id: '00u1', type: 'User', login: 'ana@acme.test', name: 'Ana' },
      target: [{ id: '00g1', type: 'UserGroup', login: null, name: 'Sales' }],
      client: { ip: '192.0.2.1', userAgent: 'curl' },
      message: 'User login to Okta',
    });
    expect(fromOkta({ ...raw, eventType: 'app.oauth2.as.token.grant' })).toMatchObject({
      type: 'other',
      sourceType: 'app.oauth2.as.token.grant',
    });
    expect(fromOkta({ ...raw, uuid: undefined })).toBeUndefined();
  });

  it('UC-18 maps OneLogin v1 events by event_type_id', () => {
    const base = { id: 900000001, created_at: '2026-12-01T10:00:00Z', user_id: 7, user_name: 'Bo Li' };
    expect(
      fromOneLogin({ ...base, event_type_id: 6, actor_user_id: 7, ipaddr: '203.0.113.2' }),
    ).toMatchObject({
      id: 'onelogin:900000001',
      type: 'auth.login',
      outcome: 'failure',
      sourceType: 'event_type_id:6',
      actor: { id: '7', type: 'User' },
      target: [{ id: '7', type: 'User', name: 'Bo Li' }],
      client: { ip: '203.0.113.2', userAgent: null },
      time: '2026-12-01T10:00:00.000Z',
    });
    expect(
      fromOneLogin({ ...base, event_type_id: 72, actor_system: 'API', role_id: 5, role_name: 'Sales' }),
    ).toMatchObject({
      type: 'membership.added',
      outcome: 'success',
      actor: { id: null, type: 'System', name: 'API' },
      target: [{ id: '7' }, { id: '5', type: 'Role', name: 'Sales' }],
    });
    expect(fromOneLogin({ ...base, event_type_id: 12345 })).toMatchObject({ type: 'other' });
  });
});

describe('UC-19 the alert matcher', () => {
  const at = (
    minute: number,
    actor: string,
    outcome: 'success' | 'failure' = 'failure',
  ): NormalizedEvent => ({
    ...fromOkta({
      uuid: `e${minute}${actor}`,
      published: new Date(Date.UTC(2026, 11, 1, 9, minute)).toISOString(),
      eventType: 'user.session.start',
      outcome: { result: outcome === 'failure' ? 'FAILURE' : 'SUCCESS' },
      actor: { id: actor, type: 'User' },
    })!,
  });
  const burst: EventAlert = {
    id: 'burst',
    when: { types: ['auth.login'], outcome: 'failure', burst: { count: 3, withinMinutes: 10 } },
    webhook: { url: 'https://x.test', secretEnv: 'S' },
  };
  const run = (alert: EventAlert, events: NormalizedEvent[]) => {
    let state: AlertState = emptyAlertState();
    const fired: string[][] = [];
    for (const e of events) {
      const step = stepAlert(alert, state, e);
      state = step.state;
      if (step.delivery) fired.push(step.delivery.events.map((x) => x.sourceId));
    }
    return { fired, state };
  };

  it('UC-19 a failed-login burst fires once per count matches of one actor within the window', () => {
    const { fired } = run(burst, [
      at(0, 'a'),
      at(1, 'b'),
      at(2, 'a'),
      at(3, 'a', 'success'),
      at(4, 'a'),
      at(5, 'a'),
      at(30, 'a'),
      at(31, 'b'),
    ]);
    expect(fired).toEqual([['e0a', 'e2a', 'e4a']]);
  });

  it('UC-19 matches outside the window expire, so the state stays small', () => {
    const { fired, state } = run(burst, [at(0, 'a'), at(5, 'a'), at(20, 'a'), at(40, 'b')]);
    expect(fired).toEqual([]);
    expect(Object.keys(state.windows)).toEqual(['okta:b']);
  });

  it('UC-19 validation points at a duplicate alert id and an undeclared source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-events-policy-'));
    try {
      writeFileSync(
        join(dir, 'a.json'),
        JSON.stringify({ platforms: { okta: {} }, identity: { source: 'okta' } }),
      );
      const alert = {
        id: 'x',
        when: { types: ['auth.login'] },
        webhook: { url: 'https://h.test', secretEnv: 'S' },
      };
      writeFileSync(
        join(dir, 'b.json'),
        JSON.stringify({ events: { sources: ['onelogin'], alerts: [alert] } }),
      );
      writeFileSync(join(dir, 'c.json'), JSON.stringify({ events: { alerts: [alert] } }));
      const { diagnostics } = await loadPolicy(dir, {});
      expect(diagnostics.map((d) => [d.code, d.file.split('/').pop(), d.pointer])).toEqual(
        expect.arrayContaining([
          ['events.duplicate-alert', 'c.json', '/events/alerts/0/id'],
          ['ref.undeclared-platform', 'b.json', '/events/sources/0'],
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
