import { startSandbox } from '../sandbox/sandbox.js';

export interface EnvironmentOptions {
  sandbox?: boolean;
  people?: number;
  seed?: number;
}

/**
 * Where the providers connect: the process environment, or with `--sandbox` a freshly seeded
 * in-process sandbox on loopback ports, whose variables override the process's.
 */
export async function openEnvironment(
  options: EnvironmentOptions,
): Promise<{ env: NodeJS.ProcessEnv; close: () => Promise<void> }> {
  if (!options.sandbox) return { env: process.env, close: async () => {} };
  const sandbox = await startSandbox({
    transport: 'loopback',
    port: 0,
    people: options.people,
    seed: options.seed,
  });
  return { env: { ...process.env, ...sandbox.env }, close: () => sandbox.close() };
}
