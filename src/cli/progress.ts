import type { Progress } from '../providers/provider.js';
import { stderrReporter, type ReportStream } from './reporter.js';

export type ProgressStream = ReportStream;

/**
 * Live progress of a long read on stderr (see reporter.ts): one line per platform, rewritten in
 * place on a terminal; elsewhere a line per platform at most every 10 s.
 */
export function stderrProgress(
  stream: ProgressStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
  now?: () => number,
): Progress {
  return stderrReporter(stream, env, now).progress;
}
