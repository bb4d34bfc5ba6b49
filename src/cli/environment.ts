import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanContext } from '../engine/run-plan.js';
import { loadSandbox } from './load-sandbox.js';
import type { EnvironmentOptions } from './options.js';
import { stderrReporter } from './reporter.js';

export type { EnvironmentOptions } from './options.js';

/**
 * Where the providers connect: the process environment, or with `--sandbox` a freshly seeded
 * in-process sandbox on loopback ports, whose variables override the process's. With
 * `--sandbox-data` the sandbox's tenants are loaded from, and saved to, a file, so that separate
 * runs (a workflow's jobs, a test's steps) see one another's writes.
 */
export async function openEnvironment(
  options: EnvironmentOptions,
): Promise<{ env: NodeJS.ProcessEnv; close: () => Promise<void> }> {
  if (!usesSandbox(options)) return { env: process.env, close: async () => {} };
  const { startSandbox } = await loadSandbox();
  const sandbox = await startSandbox({
    transport: 'loopback',
    port: 0,
    people: options.people,
    seed: options.seed,
    ...(options.sandboxData ? { dataFile: options.sandboxData } : {}),
  });
  return { env: { ...process.env, ...sandbox.env }, close: () => sandbox.close() };
}

/** `--sandbox`, or `--sandbox-data` (which implies it). */
export const usesSandbox = (options: EnvironmentOptions): boolean =>
  options.sandbox === true || (options.sandboxData !== undefined && options.sandboxData !== '');

/**
 * The state file of a run that writes: a freshly seeded sandbox is throwaway, so its state (and
 * the audit log beside it) go to a temp dir, never into tracked files; a kept one
 * (`--sandbox-data`) lives on, and so does its state, where the policy says.
 */
export function stateFileFor(options: EnvironmentOptions & { state?: string }): string | undefined {
  if (options.state || !options.sandbox || options.sandboxData) return options.state;
  return join(mkdtempSync(join(tmpdir(), 'accord-sandbox-')), 'sandbox.state.json');
}

/**
 * How the engine reaches the platforms for these options, with live progress, every wait and,
 * with ACCORD_LOG, more on stderr. Every plan-shaped command starts here, so this is also where
 * `--target` is announced: a narrowed plan must never pass for the whole one (Terraform warns too).
 */
export const planContext = (
  options: EnvironmentOptions & { target?: string[]; refresh?: 'auto' | 'full' },
): PlanContext => {
  if (options.target && options.target.length > 0) process.stderr.write(targetingWarning(options.target));
  const { progress, events } = stderrReporter();
  return {
    connect: () => openEnvironment(options),
    progress,
    events,
    // Every command that reads the platforms honours --refresh=full (apply and reconcile too).
    ...(options.refresh ? { refresh: options.refresh } : {}),
  };
};

export const targetingWarning = (targets: readonly string[]): string =>
  `warning: Resource targeting is in effect (--target ${targets.join(' ')}): the plan may be incomplete. ` +
  'It holds only the changes whose address starts with a target, and what they depend on; ' +
  'plan without --target to see everything the policy asks for.\n';
