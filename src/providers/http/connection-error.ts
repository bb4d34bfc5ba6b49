import { AccordError, isAccordError } from '../../errors.js';
import { isNetworkError, networkErrorCode } from './retry.js';
import { asRecord } from '../../model/json.js';
import { redact } from '../../model/redact.js';

/**
 * Turns a failure to connect or authenticate into the one-line error the CLI prints: what went
 * wrong, and which environment variable to fix. Library errors carry request headers, URLs with
 * tokens and response bodies, so only the few fields needed are picked out, and the result is
 * redacted against the known secret values.
 */

// The patterns and the registry of known secrets live in one place, model/redact.ts.
export { redact };

/** HTTP status from fetch Responses, got's HTTPError, the Okta SDK, jsforce and plain objects. */
function statusOf(error: unknown): number | undefined {
  const e = asRecord(error);
  if (!e) return undefined;
  for (const candidate of [
    e.status,
    e.statusCode,
    asRecord(e.response)?.status,
    asRecord(e.response)?.statusCode,
  ]) {
    const n = typeof candidate === 'string' ? Number(candidate) : candidate;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 100 && n < 600) return n;
  }
  // jsforce reports an expired or invalid token by error code, not always with a status.
  if (e.errorCode === 'INVALID_SESSION_ID' || e.errorCode === 'INVALID_AUTH_HEADER') return 401;
  return undefined;
}

/** Where the failed request went, if the error says; only the origin, never path or query. */
function originOf(error: unknown, fallback?: string | URL): string | undefined {
  const candidates: unknown[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && asRecord(current); depth++) {
    const e = asRecord(current)!;
    candidates.push(
      e.url,
      asRecord(e.options)?.url,
      asRecord(e.request)?.requestUrl,
      asRecord(e.response)?.url,
    );
    if (typeof e.hostname === 'string') candidates.push(`https://${e.hostname}`);
    current = e.cause;
  }
  candidates.push(fallback);
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === null || candidate === '') continue;
    try {
      const url = new URL(String(candidate));
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    } catch {
      // Not a URL; try the next place.
    }
  }
  return undefined;
}

const firstLine = (text: string): string => (text.split(/\r?\n/, 1)[0] ?? '').trim();
const shorten = (text: string, max = 200): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

function messageOf(error: unknown): string {
  const e = asRecord(error);
  const message = e && typeof e.message === 'string' ? e.message : String(error);
  return shorten(firstLine(message)) || 'unknown error';
}

const ENDPOINT_VARIABLE = /(URL|HOST|DOMAIN|SUBDOMAIN|INSTANCE|REGION|ENDPOINT)/i;

/**
 * Names the variables that fit the failure: the endpoint ones when the host can't be reached,
 * the credential ones when authentication fails, all of them otherwise.
 */
function relevant(variables: string[], kind: 'network' | 'auth' | 'other'): string[] {
  if (kind === 'other') return variables;
  const picked = variables.filter((v) => ENDPOINT_VARIABLE.test(v) === (kind === 'network'));
  return picked.length > 0 ? picked : variables;
}

export function connectionError(
  platform: string,
  variables: string[],
  error: unknown,
  context: { url?: string | URL; secrets?: string[] } = {},
): AccordError {
  if (isAccordError(error)) return error;
  const secrets = context.secrets ?? [];
  const check = (kind: 'network' | 'auth' | 'other'): string => {
    const names = relevant(variables, kind);
    return names.length > 0 ? `; check ${names.join(', ')}` : '';
  };
  const code = networkErrorCode(error);
  if (code !== undefined || isNetworkError(error)) {
    const origin = originOf(error, context.url) ?? 'the server';
    return new AccordError(
      redact(`${platform}: cannot reach ${origin} (${code ?? 'network error'})${check('network')}`, secrets),
      { code: 'connection.unreachable' },
    );
  }
  const status = statusOf(error);
  if (status === 401 || status === 403) {
    return new AccordError(
      redact(`${platform}: authentication failed (${status})${check('auth')}`, secrets),
      {
        code: 'connection.auth',
      },
    );
  }
  const prefix = status !== undefined ? `${status} ` : '';
  return new AccordError(redact(`${platform}: ${prefix}${messageOf(error)}${check('other')}`, secrets), {
    code: 'connection.failed',
  });
}
