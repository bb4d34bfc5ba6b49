import chalk, { Chalk, type ChalkInstance } from 'chalk';

/**
 * The one place that decides whether output is coloured. chalk detects TTYs and FORCE_COLOR but
 * not NO_COLOR (https://no-color.org), so that is honoured here: a non-empty NO_COLOR turns colour off.
 */
export function palette(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): ChalkInstance {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  if (noColor) return new Chalk({ level: 0 });
  if (env.FORCE_COLOR !== undefined) return chalk;
  return new Chalk({ level: stream.isTTY ? chalk.level || 1 : 0 });
}
