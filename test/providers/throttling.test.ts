import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { createSandbox, type Sandbox } from '@accord/sandbox';
import type { SnapshotScope } from '../../src/model/snapshot.js';
import type { Policy } from '../../src/policy/policy.js';
import type { ProviderEvents, WaitEvent } from '../../src/providers/provider.js';
import {
  RETRY_AFTER_CAP_MS,
  RetryAfterTooLong,
  retryAfterMs,
  throttleDecision,
} from '../../src/providers/http/retry-after.js';
import { withRetry } from '../../src/providers/http/retry.js';
import { requestPath } from '../../src/providers/http/events.js';
import { classifyOktaError } from '../../src/providers/okta/okta-errors.js';
import { OktaProvider, readOktaConnection } from '../../src/providers/okta/index.js';
import { OneLoginProvider } from '../../src/providers/onelogin/index.js';
import {
  SalesforceHttpError,
  classifySalesforceError,
  fatalError,
} from '../../src/providers/salesforce/errors.js';
import { SalesforceProvider } from '../../src/providers/salesforce/index.js';
import { loadDemoPolicy } from '../support/demo.js';
import { changeBuilder } from './change.js';

/**
 * Throttling retried by its kind (issue 15, item 6): a per-request 429 or a 503 is waited out for
 * as long as its Retry-After says (up to the cap), on every platform; only Salesforce's daily
 * limit stops a run. Nothing here sleeps: the waits are recorded through the event sink.
 */

const NOW = Date.parse('2025-06-02T12:00:00Z');
const DATE = new Date(NOW).toUTCString();

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates, the latter against the response Date', () => {
    expect(retryAfterMs('3', undefined, NOW)).toBe(3000);
    expect(retryAfterMs(' 0 ', undefined, NOW)).toBe(0);
    expect(retryAfterMs(new Date(NOW + 7000).toUTCString(), DATE, NOW + 60_000)).toBe(7000);
    expect(retryAfterMs(new Date(NOW + 7000).toUTCString(), undefined, NOW)).toBe(7000);
    expect(retryAfterMs(new Date(NOW - 7000).toUTCString(), DATE, NOW)).toBe(0);
    expect(retryAfterMs('soon', DATE, NOW)).toBeUndefined();
    expect(retryAfterMs(undefined, DATE, NOW)).toBeUndefined();
  });

  it('waits up to the cap; above it the call fails at once with a message saying why', async () => {
    const error = new Error('429');
    expect(throttleDecision({ reason: 'r', error, retryAfter: '60', now: NOW })).toEqual({
      retry: true,
      reason: 'r',
      delayMs: RETRY_AFTER_CAP_MS,
    });
    expect(throttleDecision({ reason: 'r', error, fallbackDelayMs: 4321, now: NOW })).toEqual({
      retry: true,
      reason: 'r',
      delayMs: 4321,
    });
    const slept: number[] = [];
    let attempts = 0;
    const thrown = await withRetry(
      async () => {
        attempts++;
        throw error;
      },
      () => throttleDecision({ reason: 'throttled (429)', error, retryAfter: '61', now: NOW }),
      { platform: 'okta', sleep: async (ms) => void slept.push(ms) },
    ).catch((e: unknown) => e);
    expect(attempts).toBe(1);
    expect(slept).toEqual([]);
    expect(thrown).toBeInstanceOf(RetryAfterTooLong);
    expect((thrown as RetryAfterTooLong).cause).toBe(error);
    expect((thrown as Error).message).toBe(
      'throttled (429): the platform asked to retry after 61 s, more than the 60 s accord waits; not retried, run again later',
    );
  });

  it('keeps query names in a logged path but none of their values', () => {
    expect(requestPath('https://x.test/services/data/v62.0/query?q=SELECT+Id+FROM+User')).toBe(
      '/services/data/v62.0/query?q',
    );
    expect(requestPath('/api/2/users?cursor=abc&limit=100&cursor=def')).toBe('/api/2/users?cursor&limit');
    expect(requestPath('https://x.test/api/v1/users/00u1')).toBe('/api/v1/users/00u1');
  });
});

describe('classifiers', () => {
  const sf = (status: number, retryAfter?: string, code = 'REQUEST_LIMIT_EXCEEDED') =>
    new SalesforceHttpError(status, code, 'Too many requests', retryAfter, DATE);
  const context = { platform: 'salesforce:prod', variables: [], secrets: [] };

  it('Salesforce: a 429 REQUEST_LIMIT_EXCEEDED is retried after its Retry-After, and is not the daily limit', () => {
    expect(classifySalesforceError(sf(429, '2'), NOW)).toEqual({
      retry: true,
      reason: 'throttled (429 REQUEST_LIMIT_EXCEEDED)',
      delayMs: 2000,
    });
    expect(fatalError(sf(429, '2'), context)).toBeUndefined();
  });

  it('Salesforce: a 503 is retried, after its Retry-After (an HTTP date here) or a backoff', () => {
    const at = new Date(NOW + 5000).toUTCString();
    expect(classifySalesforceError(sf(503, at, 'SERVER_UNAVAILABLE'), NOW)).toEqual({
      retry: true,
      reason: 'unavailable (503 SERVER_UNAVAILABLE)',
      delayMs: 5000,
    });
    expect(classifySalesforceError(sf(503, undefined, 'SERVER_UNAVAILABLE'), NOW)).toEqual({
      retry: true,
      reason: 'unavailable (503 SERVER_UNAVAILABLE)',
    });
  });

  it("Salesforce: jsforce's 403 REQUEST_LIMIT_EXCEEDED (no status) is the daily limit: not retried, fatal", () => {
    const daily = Object.assign(new Error('TotalRequests Limit exceeded.'), {
      name: 'REQUEST_LIMIT_EXCEEDED',
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
    });
    expect(classifySalesforceError(daily, NOW)).toEqual({ retry: false });
    expect(fatalError(daily, context)?.code).toBe('limits.daily-exceeded');
  });

  it('Salesforce: a Retry-After over the cap is not retried, and fails the change rather than the run', () => {
    const decision = classifySalesforceError(sf(429, '300'), NOW);
    expect(decision.retry).toBe(false);
    const error = (decision as { error: unknown }).error;
    expect(error).toBeInstanceOf(RetryAfterTooLong);
    expect(fatalError(error, context)).toBeUndefined();
  });

  it('Okta: 503 with Retry-After and 429 (Retry-After first, else X-Rate-Limit-Reset by Date)', () => {
    const okta = (status: number, headers: Record<string, string>) => ({
      status,
      errorCode: status === 429 ? 'E0000047' : 'E0000010',
      headers: { date: DATE, ...headers },
    });
    expect(classifyOktaError(okta(503, { 'retry-after': '3' }), () => NOW)).toEqual({
      retry: true,
      reason: 'unavailable (503 E0000010)',
      delayMs: 3000,
    });
    expect(
      classifyOktaError(
        okta(429, { 'retry-after': '2', 'x-rate-limit-reset': String(NOW / 1000 + 30) }),
        () => NOW,
      ),
    ).toEqual({ retry: true, reason: 'throttled (429 E0000047)', delayMs: 2000 });
    expect(classifyOktaError(okta(429, { 'x-rate-limit-reset': String(NOW / 1000 + 4) }), () => NOW)).toEqual(
      {
        retry: true,
        reason: 'throttled (429 E0000047)',
        delayMs: 4000,
      },
    );
    expect(classifyOktaError(okta(503, {}), () => NOW)).toEqual({
      retry: true,
      reason: 'unavailable (503 E0000010)',
    });
    expect(classifyOktaError(okta(503, { 'retry-after': '90' }), () => NOW).retry).toBe(false);
  });
});

/** Every wait reported through the provider's event sink, none slept. */
function recorder() {
  const waits: WaitEvent[] = [];
  const events: ProviderEvents = { waiting: (e) => waits.push(e) };
  return { waits, events };
}

const scope: SnapshotScope = {
  oktaGroups: ['Sales', 'Support', 'Salesforce Admins'],
  oneloginRoles: ['Globex Support'],
  includeDeprovisioned: true,
  salesforceFields: [],
};
const strip = <T extends { fetchedAt: string }>(s: T) => ({ ...s, fetchedAt: '' });
const noSleep = async () => undefined;

describe('each platform under throttle and unavailable faults (sandbox)', () => {
  let sandbox: Sandbox;
  let policy: Policy;
  const server = setupServer();
  beforeAll(async () => {
    server.listen({ onUnhandledFrame: 'error' });
    policy = await loadDemoPolicy();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    sandbox = createSandbox({ faultSeed: 3 });
    server.resetHandlers(...sandbox.handlers);
  });

  const okta = (events: ProviderEvents) =>
    new OktaProvider(readOktaConnection(undefined, sandbox.env), { sleep: noSleep, maxAttempts: 10, events });
  const onelogin = (events: ProviderEvents) =>
    new OneLoginProvider({ env: sandbox.env, timing: { sleep: noSleep, maxAttempts: 10 }, events });
  const salesforce = (events: ProviderEvents) =>
    new SalesforceProvider(
      'prod',
      { settings: policy.platforms.salesforce!.prod!, env: sandbox.env },
      {
        retry: { sleep: noSleep, maxAttempts: 10 },
        transportRetry: { minTimeout: 1, timeoutFactor: 1 },
        events,
      },
    );
  const cases = [
    ['okta', okta],
    ['onelogin', onelogin],
    ['salesforce:prod', salesforce],
  ] as const;

  it.each(cases)(
    '%s: waits exactly the announced 2 s once per fault and reads the same snapshot',
    async (tenant, make) => {
      const expected = await make(recorder().events).snapshot(scope);
      sandbox.instrument.reset();
      sandbox.instrument.setFaults(
        tenant,
        { throttleRate: 0.3, unavailableRate: 0.3, retryAfterSeconds: 2, methods: ['GET'] },
        7,
      );
      const { waits, events } = recorder();
      const snapshot = await make(events).snapshot(scope);
      expect(strip(snapshot)).toEqual(strip(expected));
      const faults = sandbox.instrument.requests({ tenant }).filter((r) => r.fault);
      expect(new Set(faults.map((f) => f.fault))).toEqual(new Set(['throttle', 'unavailable']));
      expect(faults.map((f) => f.status).sort()).toEqual(
        faults.map((f) => (f.fault === 'throttle' ? 429 : 503)).sort(),
      );
      // One wait per fault, each the announced one: nobody (jsforce, the SDK) retried behind our back.
      expect(waits.map((w) => w.delayMs)).toEqual(faults.map(() => 2000));
      expect(waits.every((w) => w.platform === tenant && w.maxAttempts === 10)).toBe(true);
      expect(waits.map((w) => w.reason)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^throttled \(429/),
          expect.stringMatching(/^unavailable \(503/),
        ]),
      );
    },
  );

  it('Salesforce: the daily-limit fault (403 REQUEST_LIMIT_EXCEEDED) still stops the run, unretried', async () => {
    sandbox.instrument.setFaults('salesforce:prod', { burstEvery: 1, burstLength: 1 });
    const { waits, events } = recorder();
    const error = await salesforce(events)
      .snapshot(scope)
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('limits.daily-exceeded');
    expect(waits).toEqual([]);
    expect(sandbox.instrument.count({ tenant: 'salesforce:prod' })).toBe(1);
  });

  it('Salesforce: a write throttled with a Retry-After over the cap fails its changes, sent once', async () => {
    const p = salesforce(recorder().events);
    await p.snapshot(scope);
    let patches = 0;
    server.use(
      http.patch(`${sandbox.env.SF_PROD_INSTANCE_URL}/services/data/:version/composite/sobjects`, () => {
        patches++;
        return HttpResponse.json([{ message: 'slow down', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], {
          status: 429,
          headers: { 'Retry-After': '120' },
        });
      }),
    );
    const change = changeBuilder('salesforce:prod', 'c', (c, n) => `salesforce.prod.${c.kind}.${n}`);
    const [result] = await p.apply([
      change({
        kind: 'account',
        action: 'update',
        account: { key: 'ana.lopez@acme.test' },
        after: { Title: 'X' },
      }),
    ]);
    expect(patches).toBe(1);
    expect(result).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(
        /^throttled \(429 REQUEST_LIMIT_EXCEEDED\): the platform asked to retry after 120 s/,
      ),
    });
  });

  it('OneLogin: Retry-After wins over X-RateLimit-Reset on a 429, and a 503 honours an HTTP-date one', async () => {
    const base = sandbox.env.ONELOGIN_URL!.replace(/\/+$/, '');
    let calls = 0;
    server.use(
      http.get(`${base}/api/2/users`, () => {
        calls++;
        if (calls === 1)
          return HttpResponse.json(
            { message: 'Rate limit exceeded', statusCode: 429, name: 'TooManyRequestsError' },
            { status: 429, headers: { 'Retry-After': '3', 'X-RateLimit-Reset': '3000' } },
          );
        if (calls === 2) {
          const date = new Date();
          return HttpResponse.json(
            { message: 'Service Unavailable', statusCode: 503, name: 'ServiceUnavailableError' },
            {
              status: 503,
              headers: {
                Date: date.toUTCString(),
                'Retry-After': new Date(date.getTime() + 5000).toUTCString(),
              },
            },
          );
        }
        return undefined;
      }),
    );
    const { waits, events } = recorder();
    await onelogin(events).snapshot({ ...scope, oneloginRoles: [] });
    // The Date header has whole seconds, so the HTTP date is 5 s after it to the second.
    expect(waits.map((w) => [w.reason, w.delayMs])).toEqual([
      ['throttled (429)', 3000],
      ['unavailable (503)', 5000],
    ]);
  });
});
