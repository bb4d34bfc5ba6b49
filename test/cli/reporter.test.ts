import { afterEach, describe, expect, it } from '@jest/globals';
import { logLevel, secondsText, stderrReporter } from '../../src/cli/reporter.js';
import { clearSecrets, registerSecrets } from '../../src/model/redact.js';
import type { ProgressEvent } from '../../src/providers/provider.js';

/** What a run prints on stderr about waits, progress and (with ACCORD_LOG) requests. */

const stream = (isTTY: boolean) => {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
};
const wait = {
  platform: 'salesforce:prod',
  reason: 'throttled (429 REQUEST_LIMIT_EXCEEDED)',
  delayMs: 1000,
  attempt: 1,
  maxAttempts: 5,
} as const;
const event = (phase: string, pages: number, done?: boolean): ProgressEvent => ({
  platform: 'okta',
  phase,
  pages,
  records: pages * 10,
  ...(done ? { done } : {}),
});

afterEach(() => clearSecrets());

describe('stderrReporter', () => {
  it('prints every wait as one line, terminal or not', () => {
    for (const isTTY of [false, true]) {
      const out = stream(isTTY);
      stderrReporter(out, { NO_COLOR: '1' }).events.waiting(wait);
      expect(out.written.join('')).toContain(
        'salesforce:prod: throttled (429 REQUEST_LIMIT_EXCEEDED), waiting 1 s (attempt 2 of 5)\n',
      );
    }
  });

  it('on a terminal, puts a wait above the live progress lines and redraws them', () => {
    const out = stream(true);
    const { progress, events } = stderrReporter(out, { NO_COLOR: '1' });
    progress(event('users', 1));
    events.waiting(wait);
    expect(out.written).toEqual([
      '\r\x1b[2Kokta: users 1 page, 10 records\n',
      '\x1b[1A\r\x1b[2Ksalesforce:prod: throttled (429 REQUEST_LIMIT_EXCEEDED), waiting 1 s (attempt 2 of 5)\n\r\x1b[2Kokta: users 1 page, 10 records\n',
    ]);
  });

  it('colours only without NO_COLOR', () => {
    const coloured = stream(true);
    stderrReporter(coloured, {}).events.waiting(wait);
    expect(coloured.written.join('')).toContain('\x1b[1m');
    const plain = stream(true);
    stderrReporter(plain, { NO_COLOR: '1' }).events.waiting(wait);
    expect(plain.written.join('')).not.toContain('\x1b[1m');
  });

  it('ACCORD_LOG=info prints every phase end, even one too quick to show progress', () => {
    const out = stream(false);
    const { progress, events } = stderrReporter(out, { NO_COLOR: '1', ACCORD_LOG: 'info' }, () => 0);
    progress(event('users', 1));
    progress(event('users', 2, true));
    expect(out.written).toEqual(['okta: users 2 pages, 20 records done\n']);
    expect(events.request).toBeUndefined();
    const tty = stream(true);
    const live = stderrReporter(tty, { NO_COLOR: '1', ACCORD_LOG: 'info' });
    live.progress(event('users', 1));
    live.progress(event('users', 2, true));
    // The done line takes the live line's place and stays; the block is empty again.
    expect(tty.written.at(-1)).toBe('\x1b[1A\r\x1b[2Kokta: users 2 pages, 20 records done\n');
  });

  it('ACCORD_LOG=debug adds one redacted line per request; without it there is no request sink', () => {
    expect(stderrReporter(stream(false), {}).events.request).toBeUndefined();
    registerSecrets(['s3cr3t-token-value']);
    const out = stream(false);
    const { events } = stderrReporter(out, { NO_COLOR: '1', ACCORD_LOG: 'debug' });
    events.request!({
      platform: 'okta',
      method: 'GET',
      path: '/api/v1/users/s3cr3t-token-value',
      status: 200,
      ms: 12,
    });
    events.request!({ platform: 'onelogin', method: 'POST', path: '/auth/oauth2/v2/token', ms: 30 });
    expect(out.written).toEqual([
      'okta: GET /api/v1/users/*** 200 12 ms\n',
      'onelogin: POST /auth/oauth2/v2/token no response 30 ms\n',
    ]);
  });

  it('reads ACCORD_LOG leniently and formats waits in seconds', () => {
    expect(logLevel({})).toBe('default');
    expect(logLevel({ ACCORD_LOG: 'DEBUG ' })).toBe('debug');
    expect(logLevel({ ACCORD_LOG: 'verbose' })).toBe('default');
    expect([0, 250, 1000, 1500, 12_345].map(secondsText)).toEqual(['0', '0.3', '1', '1.5', '12']);
  });
});
