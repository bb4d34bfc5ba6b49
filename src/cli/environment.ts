import { Option, type Command } from 'commander';
import type { PlanContext } from '../engine/run-plan.js';
import { loadSandbox, sandboxDefaults } from './load-sandbox.js';
import { stderrReporter } from './reporter.js';

export interface EnvironmentOptions {
  sandbox?: boolean;
  people?: number;
  seed?: number;
}

/** `--sandbox` with its `--people` and `--seed`; `sandboxHelp` says what the sandbox is used for. */
export const withEnvironmentOptions = (command: Command, sandboxHelp: string): Command =>
  command
    .option('--sandbox', sandboxHelp)
    .addOption(
      new Option('--people <n>', 'people in the sandbox company')
        .argParser(Number)
        .default(sandboxDefaults?.DEFAULT_PEOPLE),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the sandbox company')
        .argParser(Number)
        .default(sandboxDefaults?.DEFAULT_SEED),
    );

/**
 * Where the providers connect: the process environment, or with `--sandbox` a freshly seeded
 * in-process sandbox on loopback ports, whose variables override the process's.
 */
export async function openEnvironment(
  options: EnvironmentOptions,
): Promise<{ env: NodeJS.ProcessEnv; close: () => Promise<void> }> {
  if (!options.sandbox) return { env: process.env, close: async () => {} };
  const { startSandbox } = await loadSandbox();
  const sandbox = await startSandbox({
    transport: 'loopback',
    port: 0,
    people: options.people,
    seed: options.seed,
  });
  return { env: { ...process.env, ...sandbox.env }, close: () => sandbox.close() };
}

/**
 * How the engine reaches the platforms for these options, with live progress, every wait and,
 * with ACCORD_LOG, more on stderr.
 */
export const planContext = (options: EnvironmentOptions): PlanContext => {
  const { progress, events } = stderrReporter();
  return { connect: () => openEnvironment(options), progress, events };
};
