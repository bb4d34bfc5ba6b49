/**
 * Shared by the UC-18 / UC-19 tests: a loopback sandbox, a policy folder of the test's own (both
 * platforms, an identity, and the `events` section the test gives), a local webhook receiver
 * that verifies the HMAC signature, and readers for the sink.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@accord/sandbox';
import type { EventsSettings } from '../../src/policy/types.js';
import type { NormalizedEvent } from '../../src/events/schema.js';

export const WEBHOOK_SECRET = 'test-webhook-secret';

export function eventsSandbox(): Promise<Sandbox> {
  return startSandbox({ transport: 'loopback', port: 0, people: 30, seed: 11 });
}

export interface Scenario {
  dir: string;
  policies: string;
  state: string;
  sink: string;
  /** `accord events pull` with this scenario's policy, state and sink. */
  args: (...more: string[]) => string[];
  /** Rewrites the events section (e.g. once a webhook's port is known). */
  setEvents: (events: EventsSettings) => void;
  remove: () => void;
}

/** `salesforceOrgs`: Salesforce orgs the policy declares besides both identity providers (UC-18's sink). */
export function scenario(
  prefix: string,
  events: EventsSettings = {},
  { salesforceOrgs = [] }: { salesforceOrgs?: string[] } = {},
): Scenario {
  const dir = mkdtempSync(join(tmpdir(), `accord-events-${prefix}-`));
  const policies = join(dir, 'policies');
  const state = join(dir, 'test.state.json');
  const sink = join(dir, 'siem', 'events.jsonl');
  const write = (e: EventsSettings) =>
    writeFileSync(
      join(policies, 'events.json'),
      JSON.stringify({ events: { ...e, sinks: { jsonl: { path: sink }, ...e.sinks } } }, null, 2),
    );
  mkdirSync(policies, { recursive: true });
  writeFileSync(
    join(policies, 'platforms.json'),
    JSON.stringify({
      platforms: {
        okta: {},
        onelogin: {},
        ...(salesforceOrgs.length
          ? { salesforce: Object.fromEntries(salesforceOrgs.map((o) => [o, {}])) }
          : {}),
      },
      identity: { source: 'okta' },
    }),
  );
  write(events);
  return {
    dir,
    policies,
    state,
    sink,
    args: (...more) => ['events', 'pull', '-p', policies, '--state', state, ...more],
    setEvents: write,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function readSink(path: string): NormalizedEvent[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as NormalizedEvent);
}

export const repeated = (ids: string[]): string[] => [
  ...new Set(ids.filter((id, i) => ids.indexOf(id) !== i)),
];

/** The Salesforce sink of the UC-18 tests: the sandbox's Login_Event__c, default fields. */
export const LOGIN_EVENTS = {
  org: 'prod',
  object: 'Login_Event__c',
  externalIdField: 'Accord_Event_Id__c',
} as const;

/** Upsert calls (sObject Collections by External ID) the org received, faults excluded. */
export const upsertCalls = (sandbox: Sandbox, org = 'prod') =>
  sandbox.instrument.count({
    tenant: `salesforce:${org}`,
    method: 'PATCH',
    route: '/services/data/:version/composite/sobjects/:type/:field',
    includeFaults: false,
  });

/** The Accord_Event_Id__c of every Login_Event__c row, in the org's order. */
export const loginEventIds = (sandbox: Sandbox, org = 'prod'): string[] =>
  sandbox.stores.salesforce[org]!.records('Login_Event__c').map((r) => String(r.Accord_Event_Id__c));

/** Log reads (the events endpoints) one tenant received, faults excluded. */
export const logReads = (sandbox: Sandbox, tenant: 'okta' | 'onelogin') =>
  sandbox.instrument.count({
    tenant,
    method: 'GET',
    route: tenant === 'okta' ? '/api/v1/logs' : '/api/1/events',
    includeFaults: false,
  });

export interface Received {
  alert: string;
  deliveryId: string;
  body: { alert: string; kind: string; key?: string; count: number; events: NormalizedEvent[] };
  verified: boolean;
}

/**
 * A real local HTTP server standing in for a webhook: it records every POST, checks its
 * `X-Accord-Signature` against the body, and answers `status()` (so a test can take it down).
 */
export async function webhook(secret = WEBHOOK_SECRET): Promise<{
  url: string;
  received: Received[];
  status: (code: number) => void;
  attempts: () => number;
  close: () => Promise<void>;
}> {
  const received: Received[] = [];
  let code = 200;
  let attempts = 0;
  const hook = {} as Webhook;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      attempts++;
      hook.beforeAnswer?.(attempts);
      if (code >= 200 && code < 300) {
        const expected = `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
        received.push({
          alert: String(req.headers['x-accord-alert']),
          deliveryId: String(req.headers['x-accord-delivery']),
          body: JSON.parse(body) as Received['body'],
          verified: req.headers['x-accord-signature'] === expected,
        });
      }
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return Object.assign(hook, {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    status: (c: number) => (code = c),
    attempts: () => attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

export interface Webhook {
  url: string;
  /** Deliveries answered 2xx (or killed before the answer), in arrival order. */
  received: Received[];
  /** What the receiver answers from now on. */
  status: (code: number) => void;
  /** Requests received, whatever the answer. */
  attempts: () => number;
  /** Called with the request's number before it is answered (a crash test kills the sender here). */
  beforeAnswer?: (attempt: number) => void;
  close: () => Promise<void>;
}
