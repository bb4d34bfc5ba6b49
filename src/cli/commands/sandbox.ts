import { Option, type Command } from 'commander';
import { AccordError } from '../../errors.js';
import type { Sandbox } from '@accord/sandbox';
import { loadSandbox, sandboxDefaults } from '../load-sandbox.js';

/**
 * `accord sandbox`: serves the emulated Okta, OneLogin and Salesforce APIs on loopback until it
 * is stopped. stdout carries only the `export` lines, so it can be redirected into a file and
 * sourced; everything meant for a human goes to stderr.
 */

export const DEFAULT_PORT = 4010;
/** okta, onelogin, salesforce:prod, salesforce:emea. */
const TENANT_COUNT = 4;
const MAX_PEOPLE = 1_000_000;
const COUNTER_INTERVAL_MS = 10_000;

export interface SandboxCliOptions {
  port: number;
  people: number;
  seed: number;
  data?: string;
}

interface RawOptions {
  port: string;
  people: string;
  seed: string;
  data?: string;
}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new AccordError(`${flag} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

export function parseSandboxOptions(raw: RawOptions): SandboxCliOptions {
  const port = integer('--port', raw.port, 0, 65535 - (TENANT_COUNT - 1));
  if (port !== 0 && port < 1024 && process.getuid?.() !== 0) {
    throw new AccordError(`--port ${port} is a privileged port`, {
      hint: `use a port from 1024 up (the default is ${DEFAULT_PORT}), or 0 for free ones`,
    });
  }
  const people = integer('--people', raw.people, 1, MAX_PEOPLE);
  const seed = integer('--seed', raw.seed, -(2 ** 31), 2 ** 31 - 1);
  if (raw.data !== undefined && raw.data.trim() === '') throw new AccordError('--data needs a file name');
  return { port, people, seed, ...(raw.data !== undefined ? { data: raw.data } : {}) };
}

/** POSIX shell single-quoting: safe for any value. */
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

export function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
    .join('');
}

function countsByTenant(sandbox: Sandbox): string {
  const counts = new Map<string, { requests: number; faults: number }>();
  for (const t of sandbox.tenants) counts.set(t.id, { requests: 0, faults: 0 });
  for (const r of sandbox.instrument.log) {
    const c = counts.get(r.tenant) ?? { requests: 0, faults: 0 };
    c.requests++;
    if (r.fault) c.faults++;
    counts.set(r.tenant, c);
  }
  return [...counts]
    .map(([id, c]) => `${id} ${c.requests}${c.faults ? ` (${c.faults} faulted)` : ''}`)
    .join(', ');
}

function routeTable(sandbox: Sandbox): string {
  const rows = Object.entries(sandbox.instrument.summary()).sort(([a], [b]) => a.localeCompare(b));
  if (rows.length === 0) return '  (no requests)\n';
  const width = Math.max(...rows.map(([, n]) => String(n).length));
  return rows.map(([key, n]) => `  ${String(n).padStart(width)}  ${key}\n`).join('');
}

export async function runSandbox(options: SandboxCliOptions): Promise<void> {
  const started = Date.now();
  const { startSandbox } = await loadSandbox();
  const sandbox = await startSandbox({
    transport: 'loopback',
    port: options.port,
    people: options.people,
    seed: options.seed,
    ...(options.data !== undefined ? { dataFile: options.data } : {}),
  });

  process.stdout.write(exportLines(sandbox.env));
  const err = process.stderr;
  const origin = sandbox.loadedFromFile
    ? `loaded from ${options.data} (demo company of ${sandbox.people} people, seed ${sandbox.seed})`
    : `seeded with a demo company of ${sandbox.people} people (seed ${sandbox.seed})`;
  err.write(`accord sandbox: ${origin} in ${Date.now() - started} ms\n`);
  const idWidth = Math.max(...sandbox.tenants.map((t) => t.id.length));
  for (const t of sandbox.tenants) err.write(`  ${t.id.padEnd(idWidth)}  ${sandbox.urls[t.id]}\n`);
  if (options.data) err.write(`  tenants are saved to ${options.data} after writes and on exit\n`);
  err.write('The export lines on stdout point accord (or any client) at it. Stop with Ctrl-C.\n');

  let lastCount = 0;
  const ticker = setInterval(() => {
    const n = sandbox.instrument.log.length;
    if (n === lastCount) return;
    lastCount = n;
    err.write(`requests: ${countsByTenant(sandbox)}\n`);
  }, COUNTER_INTERVAL_MS);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  clearInterval(ticker);
  // A second signal while saving means "now": the atomic write leaves the old file intact.
  const force = () => process.exit(130);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  err.write(`\n${signal}: stopping${options.data ? ` and saving ${options.data}` : ''}\n`);
  try {
    await sandbox.close();
  } finally {
    process.off('SIGINT', force);
    process.off('SIGTERM', force);
  }
  err.write(`requests: ${countsByTenant(sandbox)}\n${routeTable(sandbox)}`);
}

export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description(
      'serve emulated Okta, OneLogin and Salesforce APIs, seeded with a demo company, on 127.0.0.1',
    )
    // Option values stay strings so that parseSandboxOptions can reject '12abc' with a clear
    // message; the second default argument keeps the help from quoting them.
    .addOption(
      new Option(
        '--port <n>',
        `first of ${TENANT_COUNT} consecutive ports (okta, onelogin, salesforce:prod, salesforce:emea); 0 picks free ports`,
      ).default(String(DEFAULT_PORT), String(DEFAULT_PORT)),
    )
    .addOption(
      new Option('--people <n>', 'about how many people the demo company has').default(
        String(sandboxDefaults?.DEFAULT_PEOPLE),
        String(sandboxDefaults?.DEFAULT_PEOPLE),
      ),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the demo company: the same seed gives the same tenants').default(
        String(sandboxDefaults?.DEFAULT_SEED),
        String(sandboxDefaults?.DEFAULT_SEED),
      ),
    )
    .option(
      '--data <file>',
      'keep the tenants in FILE across restarts: loaded from it when it exists (then --people and --seed are ignored), saved after writes and on exit',
    )
    .addHelpText(
      'after',
      `
Each tenant listens on its own port on 127.0.0.1 only, with sandbox-only credentials.
stdout gets one shell-quoted "export NAME=value" line per environment variable that points accord,
or any client (curl, the Okta SDK, jsforce), at the sandbox; the summary and request counters
go to stderr. It runs until SIGINT (Ctrl-C) or SIGTERM, then stops cleanly (exit 0), saving --data.

Examples:
  accord sandbox > sandbox.env          # in another shell: . ./sandbox.env && accord plan
  accord sandbox --port 0 --people 5000 --seed 7
  accord sandbox --data .sandbox.json   # keep changes across restarts`,
    )
    .action(async (raw: RawOptions) => {
      if (!sandboxDefaults) await loadSandbox(); // says why it is not there
      await runSandbox(parseSandboxOptions(raw));
    });
}
