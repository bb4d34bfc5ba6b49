import { AccordError } from '../../errors.js';
import type { Sandbox } from '@accord/sandbox';
import { loadSandbox, sandboxDefaults } from '../load-sandbox.js';
import { DEFAULT_SANDBOX_PORT } from '../options.js';
import { writeUnredacted } from '../redacted-output.js';

/**
 * `accord sandbox` (declared in commands/sandbox.ts). stdout carries only the `export` lines, so
 * it can be redirected into a file and sourced; everything meant for a human goes to stderr.
 */

const COUNTER_INTERVAL_MS = 10_000;

/** The options as commander's argument parsers left them: numbers already range-checked. */
export interface SandboxCliOptions {
  port: number;
  people: number;
  seed: number;
  data?: string;
}

/** What the parsers cannot judge alone: a privileged port, an empty --data. */
export function checkSandboxOptions(options: SandboxCliOptions): SandboxCliOptions {
  const { port } = options;
  if (port !== 0 && port < 1024 && process.getuid?.() !== 0) {
    throw new AccordError(`--port ${port} is a privileged port`, {
      hint: `use a port from 1024 up (the default is ${DEFAULT_SANDBOX_PORT}), or 0 for free ones`,
    });
  }
  if (options.data !== undefined && options.data.trim() === '')
    throw new AccordError('--data needs a file name');
  return options;
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
  const width = rows.reduce((m, [, n]) => Math.max(m, String(n).length), 0);
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

  writeUnredacted(process.stdout, exportLines(sandbox.env));
  const err = process.stderr;
  const origin = sandbox.loadedFromFile
    ? `loaded from ${options.data} (demo company of ${sandbox.people} people, seed ${sandbox.seed})`
    : `seeded with a demo company of ${sandbox.people} people (seed ${sandbox.seed})`;
  err.write(`accord sandbox: ${origin} in ${Date.now() - started} ms\n`);
  const idWidth = sandbox.tenants.reduce((m, t) => Math.max(m, t.id.length), 0);
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

export default async function sandbox(options: SandboxCliOptions): Promise<void> {
  if (!sandboxDefaults) await loadSandbox(); // says why it is not there
  await runSandbox(checkSandboxOptions(options));
}
