import { describe, expect, it } from '@jest/globals';
import { AccordError } from '../../src/errors.js';
import { chunk } from '../../src/providers/http/chunk.js';
import { connectionError, redact } from '../../src/providers/http/connection-error.js';
import { DailyLimitGuard, RateBudget } from '../../src/providers/http/rate-limit.js';
import {
  backoffDelay,
  isNetworkError,
  withRetry,
  type RetryDecision,
} from '../../src/providers/http/retry.js';
import { requireSecureUrl } from '../../src/providers/http/secure-url.js';

const fakeSleep = () => {
  const slept: number[] = [];
  return { slept, sleep: async (ms: number) => void slept.push(ms) };
};
const systemError = (code: string, message = `connect ${code}`) =>
  Object.assign(new Error(message), { code });
const retryNetwork = (error: unknown): RetryDecision =>
  isNetworkError(error) ? { retry: true, reason: 'network' } : { retry: false };

describe('withRetry', () => {
  it('retries a failing operation and returns its eventual result', async () => {
    const { slept, sleep } = fakeSleep();
    const attempts: number[] = [];
    const retries: { attempt: number; reason: string }[] = [];
    const result = await withRetry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw systemError('ECONNRESET');
        return 'done';
      },
      retryNetwork,
      { platform: 'okta', sleep, onRetry: ({ attempt, reason }) => retries.push({ attempt, reason }) },
    );
    expect(result).toBe('done');
    expect(attempts).toEqual([1, 2, 3]);
    expect(slept).toHaveLength(2);
    expect(retries).toEqual([
      { attempt: 1, reason: 'network' },
      { attempt: 2, reason: 'network' },
    ]);
  });

  it('gives up after maxAttempts and rethrows the last error itself', async () => {
    const { slept, sleep } = fakeSleep();
    const errors: Error[] = [];
    const promise = withRetry(
      async (attempt) => {
        const error = systemError('ETIMEDOUT', `attempt ${attempt}`);
        errors.push(error);
        throw error;
      },
      retryNetwork,
      { platform: 'okta', maxAttempts: 4, sleep },
    );
    const thrown = await promise.catch((error: unknown) => error);
    expect(errors).toHaveLength(4);
    expect(thrown).toBe(errors[3]);
    expect(slept).toHaveLength(3);
  });

  it("waits the classifier's delay instead of the computed backoff", async () => {
    const { slept, sleep } = fakeSleep();
    let calls = 0;
    await withRetry(
      async () => {
        if (++calls === 1) throw Object.assign(new Error('Too Many Requests'), { status: 429 });
        return calls;
      },
      () => ({ retry: true, delayMs: 12_345, reason: 'rate limited' }),
      { platform: 'okta', sleep, maxDelayMs: 100 },
    );
    expect(slept).toEqual([12_345]);
  });

  it('does not retry what the classifier calls permanent, even a TypeError', async () => {
    const { slept, sleep } = fakeSleep();
    let calls = 0;
    const error = new TypeError('bad input');
    await expect(
      withRetry(
        async () => {
          calls++;
          throw error;
        },
        () => ({ retry: false }),
        { platform: 'onelogin', sleep },
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
    expect(slept).toEqual([]);
  });

  it('lets the classifier retry errors p-retry would not (TypeError, non-Error values)', async () => {
    const { sleep } = fakeSleep();
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls === 1) throw new TypeError('odd');
        if (calls === 2) throw 'a string';
        return 'ok';
      },
      () => ({ retry: true, reason: 'anything' }),
      { platform: 'okta', sleep },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('backs off exponentially with full jitter, capped by maxDelayMs', async () => {
    expect(backoffDelay(1, 200, 30_000, () => 1)).toBe(200);
    expect(backoffDelay(3, 200, 30_000, () => 1)).toBe(800);
    expect(backoffDelay(20, 200, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(3, 200, 30_000, () => 0)).toBe(0);
    const { slept, sleep } = fakeSleep();
    await expect(
      withRetry(() => Promise.reject(systemError('EPIPE')), retryNetwork, {
        platform: 'okta',
        maxAttempts: 6,
        baseDelayMs: 100,
        maxDelayMs: 250,
        sleep,
      }),
    ).rejects.toMatchObject({ code: 'EPIPE' });
    expect(slept).toHaveLength(5);
    for (const [i, ms] of slept.entries()) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(Math.min(250, 100 * 2 ** i));
    }
  });
});

describe('isNetworkError', () => {
  const undiciFetchFailed = new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
  });
  const gotError = (name: string, code: string) => Object.assign(new Error('got failed'), { name, code });
  const nodeFetch = (code: string) =>
    Object.assign(new Error(`request to https://x failed, reason: ${code}`), {
      name: 'FetchError',
      type: 'system',
      code,
      errno: code,
    });
  it.each(
    [
      ['ECONNRESET', systemError('ECONNRESET'), true],
      ['ECONNREFUSED', systemError('ECONNREFUSED'), true],
      ['ETIMEDOUT', systemError('ETIMEDOUT'), true],
      ['EPIPE', systemError('EPIPE'), true],
      ['EAI_AGAIN', systemError('EAI_AGAIN'), true],
      ['socket hang up', new Error('socket hang up'), true],
      ['undici fetch failed with a cause', undiciFetchFailed, true],
      ['fetch failed alone', new TypeError('fetch failed'), true],
      ['undici socket error', gotError('SocketError', 'UND_ERR_SOCKET'), true],
      ["got's RequestError with a system code", gotError('RequestError', 'ECONNRESET'), true],
      ["got's TimeoutError", gotError('TimeoutError', 'ETIMEDOUT'), true],
      ["got's ReadError", gotError('ReadError', 'ERR_GOT_REQUEST_ERROR'), true],
      ["node-fetch's system FetchError", nodeFetch('ECONNRESET'), true],
      ['msw Response.error() for http.request', new TypeError('Network error'), true],
      ['a DNS name that does not exist', systemError('ENOTFOUND'), false],
      ['an HTTP 500', Object.assign(new Error('Internal Server Error'), { status: 500 }), false],
      ['a plain TypeError', new TypeError('x is not a function'), false],
      ["got's HTTPError", gotError('HTTPError', 'ERR_NON_2XX_3XX_RESPONSE'), false],
      ['a string', 'ECONNRESET', false],
      ['undefined', undefined, false],
    ].map(([name, error, expected]) => ({ name, error, expected })),
  )('$name → $expected', ({ error, expected }) => {
    expect(isNetworkError(error)).toBe(expected);
  });
});

describe('RateBudget', () => {
  const clock = (start: number) => {
    let t = start;
    const slept: number[] = [];
    return {
      now: () => t,
      slept,
      sleep: async (ms: number) => {
        slept.push(ms);
        t += ms;
      },
    };
  };

  it('does not wait above the reserve, waits until reset at or below it', async () => {
    const c = clock(1_000_000);
    const budget = new RateBudget('okta', { reserveFraction: 0.1, sleep: c.sleep, now: c.now });
    await budget.wait('users'); // nothing known yet
    budget.observe('users', { limit: 100, remaining: 12, resetAtMs: 1_060_000 });
    await budget.wait('users'); // 12 → 11
    await budget.wait('users'); // 11 → 10
    expect(c.slept).toEqual([]);
    await budget.wait('users'); // at the reserve of 10
    expect(c.slept).toEqual([60_000]);
    await budget.wait('users'); // refilled after the wait
    expect(c.slept).toEqual([60_000]);
  });

  it('keeps one bucket per endpoint family', async () => {
    const c = clock(0);
    const budget = new RateBudget('okta', { sleep: c.sleep, now: c.now });
    budget.observe('groups', { limit: 100, remaining: 5, resetAtMs: 30_000 });
    budget.observe('users', { limit: 600, remaining: 500, resetAtMs: 30_000 });
    await budget.wait('users');
    expect(c.slept).toEqual([]);
    await budget.wait('groups');
    expect(c.slept).toEqual([30_000]);
    expect(budget.readings().users).toEqual({ limit: 600, remaining: 499, resetAtMs: 30_000 });
  });

  it('does not wait for a reset time already past', async () => {
    const c = clock(50_000);
    const budget = new RateBudget('okta', { sleep: c.sleep, now: c.now });
    budget.observe('users', { limit: 100, remaining: 0, resetAtMs: 40_000 });
    await budget.wait('users');
    expect(c.slept).toEqual([]);
  });
});

describe('DailyLimitGuard', () => {
  it('passes above the reserve and throws a one-line AccordError at it', () => {
    const guard = new DailyLimitGuard('salesforce:prod', 500);
    guard.check(); // nothing observed yet
    guard.observe(14_000, 15_000);
    guard.check();
    guard.observe(14_600, 15_000);
    let thrown: unknown;
    try {
      guard.check();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AccordError);
    expect((thrown as AccordError).message).toBe(
      'salesforce:prod: daily API limit nearly used up: 400 of 15000 remaining, reserve 500',
    );
    expect((thrown as AccordError).code).toBe('limits.daily-reserve');
    expect((thrown as AccordError).hint).toBeTruthy();
  });
});

describe('requireSecureUrl', () => {
  it.each([
    'https://acme.okta.com',
    'https://example.com:8443/path',
    'http://127.0.0.1:8080',
    'http://127.3.4.5',
    'http://localhost:3000',
    'http://[::1]:9000',
  ])('accepts %s', (url) => {
    expect(requireSecureUrl('okta', 'OKTA_ORG_URL', url).href).toBe(new URL(url).href);
  });

  it.each(['http://example.com', 'http://10.0.0.1', 'http://localhost.evil.com', 'ftp://127.0.0.1'])(
    'refuses %s, naming the variable',
    (url) => {
      expect(() => requireSecureUrl('okta', 'OKTA_ORG_URL', url)).toThrow(AccordError);
      expect(() => requireSecureUrl('okta', 'OKTA_ORG_URL', url)).toThrow(
        /^okta: OKTA_ORG_URL must use https/,
      );
    },
  );

  it('refuses a malformed URL, naming the variable', () => {
    expect(() => requireSecureUrl('onelogin', 'ONELOGIN_URL', 'acme.onelogin.com')).toThrow(
      'onelogin: ONELOGIN_URL is not a valid URL',
    );
  });

  it('does not echo credentials a refused URL carries', () => {
    expect(() =>
      requireSecureUrl('okta', 'OKTA_ORG_URL', 'http://user:hunter22@example.com/?token=abc'),
    ).toThrow(expect.objectContaining({ message: expect.not.stringMatching(/hunter22|abc/) }));
  });
});

describe('redact', () => {
  it('removes known secrets, their URL-encoded forms and credential-shaped text', () => {
    const secret = 's3cr/et+token';
    const text = `failed: ${secret} in ${encodeURIComponent(secret)}; Authorization: SSWS 00abcdefghijklmnop; Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig; client_secret=zzz&x=1`;
    const out = redact(text, [secret, '']);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain('00abcdefghijklmnop');
    expect(out).not.toContain('eyJhbGc');
    expect(out).not.toContain('zzz');
    expect(out).toContain('x=1');
    expect(redact('nothing secret here', ['abc123'])).toBe('nothing secret here');
    expect(redact('{"token":"abc","x":1} ?token=def&y=2 password: ghi', [])).toBe(
      '{"token":"***","x":1} ?token=***&y=2 password: ***',
    );
  });

  it('leaves prose that merely mentions a token alone', () => {
    const message =
      "MALFORMED_QUERY: SELECT Id FROM Group ^ ERROR at Row:1:Column:22 unexpected token: 'Group'";
    expect(redact(message, [])).toBe(message);
    expect(redact('OAuth 2.0 client credentials; Basic authentication refused', [])).toBe(
      'OAuth 2.0 client credentials; Basic authentication refused',
    );
  });
});

describe('connectionError', () => {
  const vars = ['OKTA_ORG_URL', 'OKTA_API_TOKEN'];

  it('names the origin and code when the host cannot be reached', () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    const result = connectionError('okta', vars, error, { url: 'https://acme.okta.com/api/v1/users?q=x' });
    expect(result).toBeInstanceOf(AccordError);
    expect(result.message).toBe(
      'okta: cannot reach https://acme.okta.com (ECONNREFUSED); check OKTA_ORG_URL',
    );
  });

  it('reports DNS failures from the error itself', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND acme.okta.invalid'), {
      code: 'ENOTFOUND',
      hostname: 'acme.okta.invalid',
    });
    expect(connectionError('okta', vars, error).message).toBe(
      'okta: cannot reach https://acme.okta.invalid (ENOTFOUND); check OKTA_ORG_URL',
    );
  });

  it.each([401, 403])('reports authentication failure (%s) naming the credential variable', (status) => {
    const token = '00SECRETTOKENvalue';
    const error = Object.assign(new Error(`Invalid token provided: SSWS ${token}`), {
      status,
      headers: { authorization: `SSWS ${token}` },
    });
    const result = connectionError('okta', vars, error, { secrets: [token] });
    expect(result.message).toBe(`okta: authentication failed (${status}); check OKTA_API_TOKEN`);
    expect(result.code).toBe('connection.auth');
  });

  it("recognises jsforce's invalid session and got's response status", () => {
    const sfVars = ['SF_PROD_INSTANCE_URL', 'SF_PROD_ACCESS_TOKEN'];
    const jsforce = Object.assign(new Error('Session expired or invalid'), {
      errorCode: 'INVALID_SESSION_ID',
    });
    expect(connectionError('salesforce:prod', sfVars, jsforce).message).toBe(
      'salesforce:prod: authentication failed (401); check SF_PROD_ACCESS_TOKEN',
    );
    const got = Object.assign(new Error('Response code 403 (Forbidden)'), { response: { statusCode: 403 } });
    expect(connectionError('salesforce:prod', sfVars, got).message).toMatch(/authentication failed \(403\)/);
  });

  it('keeps anything else to one short redacted line', () => {
    const secret = 'client-secret-value';
    const error = new Error(`unexpected reply with ${secret}\n${'stack line\n'.repeat(20)}`);
    const result = connectionError('onelogin', ['ONELOGIN_URL', 'ONELOGIN_CLIENT_SECRET'], error, {
      secrets: [secret],
    });
    expect(result.message).not.toContain('\n');
    expect(result.message).not.toContain(secret);
    expect(result.message).toBe(
      'onelogin: unexpected reply with ***; check ONELOGIN_URL, ONELOGIN_CLIENT_SECRET',
    );
  });

  it('passes an AccordError through unchanged', () => {
    const original = new AccordError('okta: already explained');
    expect(connectionError('okta', vars, original)).toBe(original);
  });
});

describe('chunk', () => {
  it('splits into slices of at most size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});
