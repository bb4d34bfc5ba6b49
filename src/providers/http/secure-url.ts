import { isIP } from 'node:net';
import { AccordError } from '../../errors.js';

/**
 * Credentials must never travel in clear text. Plain http is allowed only to this machine, which
 * is where the sandbox and local test doubles listen.
 */

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.split('.')[0] === '127';
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host) || /^::ffff:7f/.test(host);
  return false;
}

export function requireSecureUrl(platform: string, variable: string, url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AccordError(`${platform}: ${variable} is not a valid URL`, {
      code: 'connection.url-invalid',
      hint: `set ${variable} to the platform's https:// address`,
    });
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && isLoopback(parsed.hostname)) return parsed;
  // The URL is echoed by origin only: a pasted URL may carry a token in its query or userinfo.
  const shown = parsed.protocol === 'http:' ? parsed.origin : `${parsed.protocol}//…`;
  throw new AccordError(`${platform}: ${variable} must use https (got ${shown})`, {
    code: 'connection.url-insecure',
    hint: 'plain http is allowed only to this machine (localhost, 127.0.0.0/8, ::1)',
  });
}

/**
 * A base URL as given, path included (a gateway or proxy may serve the API under one), without a
 * trailing slash, query or fragment (which may carry a token and belong to no base).
 */
export const baseUrl = (url: URL): string => `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
