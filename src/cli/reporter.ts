import type {
  Progress,
  ProgressEvent,
  ProviderEvents,
  RequestEvent,
  WaitEvent,
} from '../providers/provider.js';
import { redact } from '../model/redact.js';
import { palette } from '../render/colors.js';

/**
 * What a run tells the person watching it, on stderr: read progress, every wait for a throttled
 * or failing platform, and with ACCORD_LOG more. One object owns the stream, because on a
 * terminal the progress lines are redrawn in place and a line printed between two redraws must
 * go above them.
 *
 * - default: every wait; progress redrawn in place on a terminal; elsewhere (CI logs) one line per
 *   platform at most every 10 s, and the `done` line of a phase that showed one, so a quick run
 *   prints nothing and a slow one is never silent.
 * - `ACCORD_LOG=info`: also every phase's `done` line.
 * - `ACCORD_LOG=debug`: also one line per HTTP request: method, path without query values,
 *   status, time. Never headers or bodies; every line goes through `redact`.
 */

export type LogLevel = 'default' | 'info' | 'debug';

export function logLevel(env: NodeJS.ProcessEnv): LogLevel {
  const value = env.ACCORD_LOG?.trim().toLowerCase();
  return value === 'info' || value === 'debug' ? value : 'default';
}

export interface ReportStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface Reporter {
  progress: Progress;
  events: ProviderEvents;
}

/** Without a terminal, a platform's progress is repeated at most this often. */
export const PLAIN_INTERVAL_MS = 10_000;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** 1000 → `1`, 250 → `0.3`, 12_345 → `12`. */
export function secondsText(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return s >= 10 ? String(Math.round(s)) : String(Math.round(s * 10) / 10);
}

export function stderrReporter(
  stream: ReportStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): Reporter {
  const c = palette(stream, env);
  const level = logLevel(env);
  const progressText = (e: ProgressEvent): string => {
    const text = `${c.bold(`${e.platform}:`)} ${e.phase} ${plural(e.pages, 'page')}, ${plural(e.records, 'record')}`;
    return e.done ? `${text} ${c.green('done')}` : text;
  };
  const screen = stream.isTTY ? liveScreen(stream) : plainScreen(stream, now);
  const line = (text: string) => screen.line(redact(text));

  const events: ProviderEvents = {
    waiting: (e: WaitEvent) =>
      line(
        `${c.bold(`${e.platform}:`)} ${c.yellow(e.reason)}, waiting ${secondsText(e.delayMs)} s (attempt ${e.attempt + 1} of ${e.maxAttempts})`,
      ),
    ...(level === 'debug'
      ? {
          request: (e: RequestEvent) =>
            line(`${c.dim(`${e.platform}:`)} ${e.method} ${e.path} ${e.status ?? 'no response'} ${e.ms} ms`),
        }
      : {}),
  };
  const progress: Progress = (event) =>
    screen.progress(event, redact(progressText(event)), level !== 'default');
  return { progress, events };
}

interface Screen {
  /** A line that stays. */
  line(text: string): void;
  /** With `phaseEnds` (ACCORD_LOG=info and debug) every phase's done line stays. */
  progress(event: ProgressEvent, text: string, phaseEnds: boolean): void;
}

/** A terminal: one progress line per platform, rewritten in place; other lines go above them. */
function liveScreen(stream: ReportStream): Screen {
  const lines = new Map<string, string>();
  let drawn = 0;
  const redraw = (above = '') => {
    // Move back to the first line drawn, then write everything again below what goes above.
    let out = drawn > 0 ? `\x1b[${drawn}A` : '';
    if (above) out += `\r\x1b[2K${above}\n`;
    for (const text of lines.values()) out += `\r\x1b[2K${text}\n`;
    drawn = lines.size;
    stream.write(out);
  };
  return {
    line: (text) => redraw(text),
    progress: (event, text, phaseEnds) => {
      if (event.done && phaseEnds) {
        // The done line leaves the live block and stays where it was: the block is one shorter.
        lines.delete(event.platform);
        redraw(text);
        return;
      }
      lines.set(event.platform, text);
      redraw();
    },
  };
}

/** A log (CI): plain lines only, progress at most once per interval per platform. */
function plainScreen(stream: ReportStream, now: () => number): Screen {
  const last = new Map<string, number>();
  const shown = new Set<string>();
  const key = (e: ProgressEvent) => `${e.platform}\0${e.phase}`;
  const write = (text: string) => stream.write(`${text}\n`);
  return {
    line: write,
    progress: (event, text, phaseEnds) => {
      const t = now();
      if (event.done) {
        // Closes a phase the log showed as under way; by default a phase that never showed stays quiet.
        if (shown.delete(key(event)) || phaseEnds) write(text);
        return;
      }
      const since = last.get(event.platform);
      if (since === undefined) {
        last.set(event.platform, t);
        return;
      }
      if (t - since < PLAIN_INTERVAL_MS) return;
      last.set(event.platform, t);
      shown.add(key(event));
      write(text);
    },
  };
}
