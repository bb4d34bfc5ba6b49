import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diagnostics.js';
import type { Position } from '../locate.js';
import type { LoadedDocument } from './document.js';
import { fileDiagnostic } from './file-diagnostic.js';
import { MAX_DEPTH } from './json.js';
import { tsLocator } from './ts-locate.js';
import { tsWorkerMain, type EvalProblem, type EvalReply, type WorkerInput } from './ts-worker.js';

/**
 * Runs TypeScript policies in a worker thread, not in the process that validates them.
 *
 * Why a worker: a policy is code, and code can do what data cannot. In the worker, a timer that
 * would fire (and throw) after validation is refused and never started, a promise rejected with
 * nobody listening is reported instead of ending the process, `process.exit()` throws, an endless
 * loop is cut off after `timeoutMs`, and running out of memory ends the worker, not accord. The
 * worker hands back plain JSON data only (checked there, where getters and prototypes still
 * exist), so nothing of the policy's code reaches the rest of accord. Cost: about 70 ms to start.
 */

export interface TsFile {
  /** Absolute path as listed (a symlink's own path when the file was reached through one). */
  absolute: string;
  /** Real path (where stack frames point). */
  real: string;
  /** Path as shown to the user. */
  file: string;
  text: string;
}

export interface TsRunOptions {
  /** Real path of the policies folder. */
  root: string;
  /** How long one file may take to evaluate. */
  timeoutMs: number;
  /** Path as shown for another file under the folder (a module a policy imports). */
  shown: (absolute: string) => string;
}

export interface TsRead {
  documents: LoadedDocument[];
  diagnostics: Diagnostic[];
}

const here = import.meta.url;
/** The `accord` module a TS policy imports `definePolicy` from, resolved to our own source. */
const selfModule = fileURLToPath(new URL(here.endsWith('.ts') ? '../../index.ts' : '../../index.js', here));

/** Reads each TS file (in order) through one worker, restarted after a timeout or a crash. */
export async function runTsPolicies(files: TsFile[], options: TsRunOptions): Promise<Map<string, TsRead>> {
  const out = new Map<string, TsRead>();
  let evaluator: Evaluator | undefined;
  try {
    for (const [id, f] of files.entries()) {
      try {
        evaluator ??= await Evaluator.start(options.root);
      } catch (error) {
        out.set(
          f.absolute,
          failed(f, 'load.ts-crash', `could not start the TypeScript evaluator: ${String(error)}`),
        );
        continue;
      }
      const answer = await evaluator.ask({ id, file: f.absolute }, options.timeoutMs);
      if ('reply' in answer) {
        out.set(f.absolute, fromReply(f, answer.reply, options));
        continue;
      }
      await evaluator.stop();
      evaluator = undefined;
      out.set(
        f.absolute,
        'timeout' in answer
          ? failed(
              f,
              'load.ts-timeout',
              `evaluating the policy did not finish within ${options.timeoutMs / 1000} s (an endless loop?)`,
              'a policy must compute its document quickly and synchronously',
            )
          : failed(f, 'load.ts-crash', `evaluating the policy stopped the evaluator: ${answer.crash}`),
      );
    }
  } finally {
    await evaluator?.stop();
  }
  return out;
}

const failed = (f: TsFile, code: string, message: string, hint = 'fix the code in this file'): TsRead => ({
  documents: [],
  diagnostics: [fileDiagnostic(f.file, code, message, hint)],
});

function fromReply(f: TsFile, reply: EvalReply, options: TsRunOptions): TsRead {
  const locate = tsLocator(f.text);
  const diagnostics = reply.problems.map((p) => toDiagnostic(f, p, locate, options));
  if (diagnostics.length > 0 || !reply.documents) return { documents: [], diagnostics };
  return {
    documents: reply.documents.map((value, i) => ({
      file: f.file,
      format: 'ts' as const,
      value,
      base: reply.array ? `/${i}` : '',
      locate,
    })),
    diagnostics: [],
  };
}

function toDiagnostic(
  f: TsFile,
  p: EvalProblem,
  locate: ReturnType<typeof tsLocator>,
  options: TsRunOptions,
): Diagnostic {
  const pointer = p.pointer ?? '';
  const own = p.where && (p.where.path === f.real || p.where.path === f.absolute);
  const elsewhere = p.where && !own ? options.shown(p.where.path) : undefined;
  // A frame in this file is the most precise; else the value's place in the export; an error
  // with neither (a thrown string has no stack) is about the file as a whole.
  const at: Position =
    p.where && (own || elsewhere)
      ? { line: p.where.line, column: p.where.column }
      : p.pointer === undefined && p.code !== 'load.ts-value' && p.code !== 'load.ts-export'
        ? { line: 1, column: 1 }
        : p.code === 'load.ts-throw'
          ? locate.key(pointer)
          : locate.value(pointer);
  return fileDiagnostic(elsewhere ?? f.file, p.code, p.message, p.hint, at, pointer);
}

const START_TIMEOUT_MS = 60_000;

type Answer = { reply: EvalReply } | { timeout: true } | { crash: string };

/** One worker and the one question it is answering. */
class Evaluator {
  private pending: ((answer: Answer) => void) | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: EvalReply) => this.settle({ reply: message }));
    worker.on('error', (error: Error) => this.settle({ crash: error.message.split('\n')[0]! }));
    worker.on('exit', (code) => this.settle({ crash: `the evaluator exited (code ${code})` }));
  }

  static async start(root: string): Promise<Evaluator> {
    const input: WorkerInput = {
      jitiPath: createRequire(here).resolve('jiti'),
      selfModule,
      root,
      maxDepth: MAX_DEPTH,
    };
    // `__name`: tsx (esbuild with keepNames) calls this helper inside compiled functions; the
    // worker's copy of the source needs it defined.
    const source = `var __name = (f, name) => Object.defineProperty(f, 'name', { value: name, configurable: true });\n(${tsWorkerMain.toString()})();`;
    const worker = new Worker(source, {
      eval: true,
      workerData: input,
      // What a policy prints goes to stderr: stdout may be `--format json`.
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    worker.stdout.pipe(process.stderr);
    worker.stderr.pipe(process.stderr);
    worker.unref();
    const evaluator = new Evaluator(worker);
    // Starting loads jiti and its compiler: slow on a busy machine, but not endless.
    const ready = await new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => evaluator.settle({ timeout: true }), START_TIMEOUT_MS);
      evaluator.pending = (answer) => {
        clearTimeout(timer);
        resolve(answer);
      };
    });
    if (!('reply' in ready)) {
      await evaluator.stop();
      throw new Error('crash' in ready ? ready.crash : 'timed out');
    }
    return evaluator;
  }

  ask(request: { id: number; file: string }, timeoutMs: number): Promise<Answer> {
    return new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => this.settle({ timeout: true }), timeoutMs);
      this.pending = (answer) => {
        clearTimeout(timer);
        resolve(answer);
      };
      this.worker.postMessage(request);
    });
  }

  async stop(): Promise<void> {
    this.pending = undefined;
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private settle(answer: Answer): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.(answer);
  }
}
