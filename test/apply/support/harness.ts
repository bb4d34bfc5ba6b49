/**
 * End-to-end harness for `accord apply`: a loopback sandbox in the test process, the CLI as a
 * child process pointed at it through its environment (the CLI without `--sandbox` connects to
 * whatever the environment says), and in-process helpers that read the sandbox back (fresh plan,
 * duplicate checks, write-request counts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../../../src/plan/types.js';
import { createPlan } from '../../../src/plan/plan.js';
import { loadPolicy } from '../../../src/policy/validate.js';
import type { Policy } from '../../../src/policy/policy.js';
import { createProviders } from '../../../src/providers/registry.js';
import { snapshotScope } from '../../../src/providers/scope.js';
import { snapshotAll } from '../../../src/providers/snapshot-all.js';
import type { RequestRecord } from '@accord/sandbox';
import { startSandbox, type Sandbox, type SandboxOptions } from '@accord/sandbox';
import type { AuditEntry } from '../../../src/state/audit.js';
import { readState } from '../../../src/state/state-file.js';
import { readFile } from 'node:fs/promises';

export { repoRoot } from '../../cli/run-cli.js';
import { repoRoot } from '../../cli/run-cli.js';
export const policiesDir = join(repoRoot, 'policies');

export function loopbackSandbox(options: Pick<SandboxOptions, 'people' | 'seed' | 'faults' | 'faultSeed'>) {
  return startSandbox({ transport: 'loopback', port: 0, ...options });
}

/** A scratch directory with the state and audit paths of one scenario. */
export function scratch(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `accord-e2e-${prefix}-`));
  return {
    dir,
    state: join(dir, 's.json'),
    audit: join(dir, 'a.jsonl'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /**
   * Called on the test's event loop after every request the sandbox records; returning true
   * SIGKILLs the child at once (synchronously, before the sandbox's response is written back).
   */
  killAfter?: (record: RequestRecord) => boolean;
  timeoutMs?: number;
  /** Called with everything the child has written to stderr so far, each time it writes more. */
  onStderr?: (stderr: string) => void;
  /** More environment for the child (e.g. ACCORD_AUDIT_KEY). */
  env?: NodeJS.ProcessEnv;
  /** Called with the child as soon as it is spawned (to kill it from elsewhere, e.g. a webhook). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs `accord <args>` as a child process against the sandbox (no `--sandbox`: plain env vars). */
export function runAccord(sandbox: Sandbox, args: string[], options: SpawnOptions = {}): Promise<CliRun> {
  const child = spawn(process.execPath, ['bin/accord.js', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...sandbox.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    options.onStderr?.(stderr);
  });
  const instrument = sandbox.instrument;
  const originalRecord = instrument.record;
  if (options.killAfter) {
    const killAfter = options.killAfter;
    instrument.record = function (this: typeof instrument, entry) {
      originalRecord.call(this, entry);
      if (child.exitCode === null && !child.killed && killAfter(this.log.at(-1)!)) child.kill('SIGKILL');
    };
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 55_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (options.killAfter) instrument.record = originalRecord;
      resolve({ status, signal, stdout, stderr });
    });
  });
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Token and session endpoints are POSTs that change nothing in a tenant. */
const AUTH_ROUTE = /oauth2|\/token|\/auth\//;

/** A request that may have changed a tenant: a write method, not authentication, not a fault. */
export const isWrite = (r: RequestRecord) =>
  !READS.has(r.method) && !AUTH_ROUTE.test(r.route) && r.fault === undefined;

export const writeRequests = (sandbox: Sandbox) => sandbox.instrument.log.filter(isWrite);

let cachedPolicy: Promise<Policy> | undefined;
export function demoPolicy(): Promise<Policy> {
  return (cachedPolicy ??= loadPolicy(policiesDir, {}).then((r) => {
    if (!r.policy) throw new Error(`demo policy invalid: ${JSON.stringify(r.diagnostics)}`);
    return r.policy;
  }));
}

/** The demo policy with one more document (`file` in the policies folder), loaded from a copy. */
export async function demoPolicyWith(file: string, document: unknown): Promise<Policy> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-demo-with-'));
  try {
    cpSync(policiesDir, dir, { recursive: true });
    writeFileSync(join(dir, file), JSON.stringify(document));
    const result = await loadPolicy(dir, {});
    if (!result.policy) throw new Error(JSON.stringify(result.diagnostics));
    return result.policy;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What `accord plan --state <statePath>` would plan now, computed in-process against the sandbox. */
export async function freshPlan(sandbox: Sandbox, statePath: string): Promise<Plan> {
  const policy = await demoPolicy();
  const providers = createProviders({ platforms: policy.platforms, env: { ...process.env, ...sandbox.env } });
  const snapshots = await snapshotAll(providers, snapshotScope(policy));
  return createPlan(policy, snapshots, await readState(statePath), { now: new Date() });
}

export const describeChanges = (plan: Plan) => plan.changes.map((c) => `${c.action} ${c.address}`);

export async function readAudit(path: string): Promise<AuditEntry[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AuditEntry);
}

/** `x` repeated more than once in `values`. */
export function repeated(values: Iterable<string>): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const v of values) (seen.has(v) ? twice : seen).add(v);
  return [...twice].sort();
}

/**
 * Everything that would be a duplicate left behind by a re-sent create or grant: the empty list
 * when there is none, else one line per duplicate.
 */
export function duplicates(sandbox: Sandbox): string[] {
  const out: string[] = [];
  const { okta, onelogin, salesforce } = sandbox.stores;
  for (const login of repeated(okta.users().map((u) => u.profile.login.toLowerCase())))
    out.push(`okta: two users with login ${login}`);
  for (const group of okta.groups())
    for (const id of repeated(okta.memberIds(group.id)))
      out.push(`okta: ${id} twice in group ${group.profile.name}`);
  for (const name of repeated(
    onelogin.users().flatMap((u) => (u.username ? [u.username.toLowerCase()] : [])),
  ))
    out.push(`onelogin: two users with username ${name}`);
  for (const role of onelogin.roles())
    for (const id of repeated(onelogin.roleMemberIds(role.id).map(String)))
      out.push(`onelogin: user ${id} twice in role ${role.name}`);
  for (const user of onelogin.users())
    for (const id of repeated(user.role_ids.map(String)))
      out.push(`onelogin: role ${id} twice on ${user.username}`);
  for (const [org, store] of Object.entries(salesforce)) {
    const users = store.records('User');
    for (const u of repeated(users.map((x) => String(x.Username).toLowerCase())))
      out.push(`salesforce:${org}: two users with Username ${u}`);
    const activeFed = users
      .filter((x) => x.IsActive === true && typeof x.FederationIdentifier === 'string')
      .map((x) => String(x.FederationIdentifier).toLowerCase());
    for (const f of repeated(activeFed))
      out.push(`salesforce:${org}: two active users with FederationIdentifier ${f}`);
    const assignments = store
      .records('PermissionSetAssignment')
      .map((a) => `${String(a.AssigneeId)}|${String(a.PermissionSetGroupId ?? a.PermissionSetId)}`);
    for (const a of repeated(assignments)) out.push(`salesforce:${org}: assignment ${a} twice`);
  }
  return out;
}
