import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '@accord/sandbox';

/**
 * A hostile middleman for the canary test (issue 15): accord talks to it with canary credentials
 * (every secret-named variable gets a unique canary value), it swaps them for the sandbox's real
 * ones and forwards. On the way back it makes every error echo the request's Authorization header
 * and body, as careless servers do, and it fails every Nth write with such an echo in the
 * platform's own error shape (a Salesforce collection's per-record errors included). Whatever
 * accord then prints or stores must contain none of the canaries, nor the tokens the platforms
 * issued at run time.
 */

const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PRIVATE_?KEY)/i;
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
// Headers of one connection, not of the request: fetch sets its own.
const HOP_BY_HOP = new Set([
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'expect',
]);

export interface EchoProxy {
  /** Point accord here: sandbox env with proxy URLs and canary credentials. */
  env: Record<string, string>;
  /** Every value that must never show: canaries, their encoded forms, tokens issued meanwhile. */
  secrets(): string[];
  /** Error responses that echoed credentials, so the test knows the echo path ran. */
  echoes: number;
  close(): Promise<void>;
}

export interface EchoOptions {
  /** Fail every Nth write (token requests excepted) with an echoing error. 0: never. */
  failEveryNthWrite?: number;
  /** Refuse every token request with an echoing 401. */
  refuseTokens?: boolean;
}

const isTokenRequest = (path: string) => /\/(oauth2\/v\d\/token|oauth2\/token|v1\/token)\b/.test(path);

function replaceAll(text: string, pairs: [string, string][]): string {
  let out = text;
  for (const [from, to] of pairs) {
    out = out.split(from).join(to);
    out = out.split(encodeURIComponent(from)).join(encodeURIComponent(to));
  }
  return out;
}

/** Basic credentials hide the secret in base64: decoded, swapped, encoded again. */
function swapAuthorization(value: string, pairs: [string, string][]): string {
  const basic = /^basic\s+(\S+)$/i.exec(value.trim());
  if (!basic) return replaceAll(value, pairs);
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  return `Basic ${Buffer.from(replaceAll(decoded, pairs)).toString('base64')}`;
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

type Platform = 'okta' | 'onelogin' | 'salesforce';

/** The platform's own error body, carrying the echo as its message. */
function failure(platform: Platform, path: string, method: string, body: string, echo: string) {
  if (platform === 'okta')
    return {
      status: 400,
      json: {
        errorCode: 'E0000001',
        errorSummary: `Api validation failed: ${echo}`,
        errorLink: 'E0000001',
        errorId: 'oaeEcho',
        errorCauses: [{ errorSummary: echo }],
      },
    };
  if (platform === 'onelogin')
    return { status: 422, json: { statusCode: 422, name: 'UnprocessableEntityError', message: echo } };
  if (/\/composite\/sobjects/.test(path) && method !== 'DELETE') {
    const records = (JSON.parse(body || '{}') as { records?: unknown[] }).records ?? [];
    return {
      status: 200,
      json: records.map(() => ({
        success: false,
        errors: [{ statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: echo, fields: [] }],
      })),
    };
  }
  return { status: 400, json: [{ message: echo, errorCode: 'INVALID_FIELD', fields: [] }] };
}

/** Appends the echo to every message-like string of an error body. */
function withEcho(value: unknown, echo: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withEcho(v, echo));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      typeof v === 'string' && /^(message|errorSummary|error_description|description)$/.test(k)
        ? `${v} ${echo}`
        : withEcho(v, echo),
    ]),
  );
}

export async function echoProxy(sandbox: Sandbox, options: EchoOptions = {}): Promise<EchoProxy> {
  const servers: Server[] = [];
  const origins: [string, string][] = []; // [real, proxy]
  const canaries: [string, string][] = []; // [canary, real]
  const issued = new Set<string>();
  let writes = 0;
  const state = { echoes: 0 };

  for (const [name, value] of Object.entries(sandbox.env))
    if (SECRET_NAME.test(name)) canaries.push([`canary-${randomBytes(6).toString('hex')}-${name}`, value]);
  const toReal = () => canaries;
  const toCanary = () => canaries.map(([c, r]) => [r, c] as [string, string]);

  for (const [tenant, url] of Object.entries(sandbox.urls)) {
    const real = new URL(url).origin;
    const platform = tenant.split(':')[0] as Platform;
    const server = createServer((req, res) => {
      void handle(req, res).catch((error: unknown) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const original = await readAll(req);
      const auth = req.headers.authorization ?? '';
      const echo = `[echo: Authorization=${auth}; body=${original.slice(0, 400)}]`;
      const send = (status: number, json: unknown) => {
        state.echoes++;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (isTokenRequest(path) && options.refuseTokens)
        return send(401, { error: 'invalid_client', error_description: `bad credentials ${echo}` });
      if (!READS.has(method) && !isTokenRequest(path) && options.failEveryNthWrite) {
        writes += 1;
        if (writes % options.failEveryNthWrite === 0) {
          const f = failure(platform, path, method, original, echo);
          return send(f.status, f.json);
        }
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v === undefined || HOP_BY_HOP.has(k)) continue;
        const text = Array.isArray(v) ? v.join(', ') : v;
        headers[k] = k === 'authorization' ? swapAuthorization(text, toReal()) : replaceAll(text, toReal());
      }
      const response = await fetch(`${real}${path}`, {
        method,
        headers,
        ...(READS.has(method)
          ? {}
          : {
              body: replaceAll(original, [
                ...toReal(),
                ...origins.map(([r, p]) => [p, r] as [string, string]),
              ]),
            }),
        redirect: 'manual',
      });
      let text = await response.text();
      for (const m of text.matchAll(/"access_token"\s*:\s*"([^"]+)"/g)) issued.add(m[1]!);
      text = replaceAll(text, [...origins, ...toCanary()]);
      if (response.status >= 400) {
        try {
          text = JSON.stringify(withEcho(JSON.parse(text), echo));
          state.echoes++;
        } catch {
          text = `${text} ${echo}`;
        }
      }
      const out: Record<string, string> = {};
      response.headers.forEach((v, k) => {
        if (k === 'content-length' || k === 'content-encoding' || k === 'transfer-encoding') return;
        out[k] = replaceAll(v, origins);
      });
      res.writeHead(response.status, out);
      res.end(text);
    };
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    origins.push([real, `http://127.0.0.1:${(server.address() as AddressInfo).port}`]);
  }

  const env = Object.fromEntries(
    Object.entries(sandbox.env).map(([name, value]) => {
      const canary = canaries.find(([, r]) => r === value && SECRET_NAME.test(name));
      return [name, canary ? canary[0] : replaceAll(value, origins)];
    }),
  );
  return {
    env,
    secrets: () => [
      ...canaries.flatMap(([c]) => [c, encodeURIComponent(c), Buffer.from(c).toString('base64')]),
      ...issued,
    ],
    get echoes() {
      return state.echoes;
    },
    close: async () => {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
