import type { Progress, ProgressEvent } from '../providers/provider.js';
import { palette } from '../render/colors.js';

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Live progress of a long read on stderr: one line per platform, rewritten in place. Only on a
 * terminal: in CI logs every rewrite would be a new line, so there it returns undefined and
 * providers report nothing.
 */
export function stderrProgress(
  stream: ProgressStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Progress | undefined {
  if (!stream.isTTY) return undefined;
  const c = palette(stream, env);
  const lines = new Map<string, string>();
  let drawn = 0;

  const format = (e: ProgressEvent): string => {
    const text = `${c.bold(`${e.platform}:`)} ${e.phase} ${plural(e.pages, 'page')}, ${plural(e.records, 'record')}`;
    return e.done ? `${text} ${c.green('done')}` : text;
  };

  return (event) => {
    lines.set(event.platform, format(event));
    // Move back to the first line drawn, then redraw all of them: a new platform adds a line below.
    let out = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const line of lines.values()) out += `\r\x1b[2K${line}\n`;
    drawn = lines.size;
    stream.write(out);
  };
}
