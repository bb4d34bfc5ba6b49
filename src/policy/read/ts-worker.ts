import type * as Jiti from 'jiti';
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';
import type * as Url from 'node:url';
import type * as WorkerThreads from 'node:worker_threads';

/**
 * The code that evaluates TypeScript policies, in a worker thread of its own (see ts-run.ts for
 * why). It is one self-contained function: ts-run.ts sends its source text to the worker
 * (`Function.prototype.toString`), so it works the same from src/ (tsx, ts-jest) and from dist/,
 * with no worker file to ship or to resolve. It may use only `require`, its own locals and
 * `workerData`: nothing from this module's scope exists in the worker.
 */

/** What the main thread asks: evaluate one file. */
export interface EvalRequest {
  id: number;
  /** Absolute path of the policy file. */
  file: string;
}

/** A place in a source file, from a stack frame or a parse error (1-based). */
export interface SourceAt {
  path: string;
  line: number;
  column: number;
}

export interface EvalProblem {
  code: string;
  message: string;
  hint?: string;
  /** JSON pointer into the export, when the problem is a value inside it. */
  pointer?: string;
  where?: SourceAt;
}

export interface EvalReply {
  id: number;
  /** Plain JSON data: the default export, or each element when it is an array. */
  documents?: unknown[];
  array?: boolean;
  problems: EvalProblem[];
}

export interface WorkerInput {
  jitiPath: string;
  selfModule: string;
  /** Real path of the policies folder: stack frames inside it are the policy author's code. */
  root: string;
  maxDepth: number;
}

/* eslint-disable @typescript-eslint/no-require-imports -- the worker runs as CommonJS source text */
export function tsWorkerMain(): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof WorkerThreads;
  const { sep } = require('node:path') as typeof Path;
  const { fileURLToPath } = require('node:url') as typeof Url;
  const { readFileSync } = require('node:fs') as typeof Fs;
  const input = workerData as WorkerInput;
  const { createJiti } = require(input.jitiPath) as typeof Jiti;
  const port = parentPort!;

  const jiti = createJiti(input.selfModule, {
    moduleCache: false,
    fsCache: false,
    // The module namespace as it is: with interop, jiti itself trips over `export default null`.
    interopDefault: false,
    // `accord-access` is the package name; bare `accord` is what policies imported before the
    // package was renamed (that npm name belongs to someone else), kept so they still load.
    alias: { 'accord-access': input.selfModule, accord: input.selfModule },
  });

  const oneLine = (s: string) => s.split('\n')[0]!.trim().slice(0, 300);
  const describe = (thrown: unknown): string => {
    try {
      if (thrown instanceof Error) return oneLine(`${thrown.name}: ${thrown.message}`);
      if (typeof thrown === 'string') return oneLine(JSON.stringify(thrown));
      return oneLine(JSON.stringify(thrown) ?? String(thrown));
    } catch {
      return 'a value that cannot be printed';
    }
  };
  const stackOf = (thrown: unknown): string => {
    try {
      return thrown instanceof Error ? String(thrown.stack ?? '') : '';
    } catch {
      return '';
    }
  };
  const insideRoot = (path: string) =>
    (path === input.root || path.startsWith(input.root + sep)) && !path.includes(`${sep}node_modules${sep}`);
  // jiti keeps lines but not columns: its output moves code around on a line, and the first line
  // also carries its module wrapper. The column is found again by looking for the code at the
  // frame's column of jiti's output in the same line of the source; failing that, the line's
  // first character. The async wrapper comes first: `jiti.import` (how policies load) uses it, and
  // trying the shorter one first finds a false match six characters to the right.
  const wrappers = [
    '(async function (exports, require, module, __filename, __dirname, jitiImport, jitiESMResolve) { ',
    '(function (exports, require, module, __filename, __dirname, jitiImport, jitiESMResolve) { ',
  ];
  const compiled = new Map<string, { source: string[]; output: string[] }>();
  const mapColumn = (path: string, line: number, column: number): number => {
    try {
      if (!compiled.has(path)) {
        const source = readFileSync(path, 'utf8');
        const output = jiti.transform({ source, filename: path, ts: /\.[mc]?tsx?$/.test(path) });
        compiled.set(path, { source: source.split('\n'), output: output.split('\n') });
      }
      const { source, output } = compiled.get(path)!;
      const original = source[line - 1] ?? '';
      const generated = output[line - 1] ?? '';
      if (generated === original) return column;
      for (const shift of line === 1 ? wrappers.map((w) => w.length) : [0]) {
        const at = column - 1 - shift;
        if (at < 0 || at >= generated.length) continue;
        for (const n of [40, 24, 12, 6, 3]) {
          const snippet = generated.slice(at, at + n);
          const found = original.indexOf(snippet);
          if (snippet.trim() !== '' && found >= 0 && original.indexOf(snippet, found + 1) < 0)
            return found + 1;
        }
      }
      return original.search(/\S|$/) + 1;
    } catch {
      return column;
    }
  };
  /** The first stack frame in the policy author's own files (jiti maps them to TS lines). */
  const authorFrame = (stack: string): SourceAt | undefined => {
    for (const line of stack.split('\n')) {
      const m = /(?:\(|at )((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(line);
      if (!m) continue;
      const path = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
      if (insideRoot(path))
        return { path, line: Number(m[2]), column: mapColumn(path, Number(m[2]), Number(m[3])) };
    }
    return undefined;
  };

  // Timers: a policy is evaluated once for its export, so a timer it starts would run after
  // validation (or never). Those started from the author's files are recorded and never started;
  // a library's timers run as usual (and die with the worker).
  let problems: EvalProblem[] | undefined;
  const fakeTimer = {
    ref: () => fakeTimer,
    unref: () => fakeTimer,
    hasRef: () => false,
    refresh: () => fakeTimer,
    [Symbol.toPrimitive]: () => 0,
  };
  const g = globalThis as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['setTimeout', 'setInterval', 'setImmediate']) {
    const real = g[name]!;
    g[name] = (...args: unknown[]) => {
      const where = authorFrame(stackOf(new Error()));
      // eslint-disable-next-line no-restricted-syntax -- forwards a timer's own few arguments
      if (!where) return real(...args);
      problems?.push({
        code: 'load.ts-async',
        message: `the policy starts a timer (${name}); a policy is evaluated once for its export, so the timer's work would happen after validation, or never`,
        hint: 'compute the document synchronously and remove the timer',
        where,
      });
      return fakeTimer;
    };
  }
  // Errors nobody awaited or caught (a rejected promise, a throwing microtask) belong to the file
  // being evaluated; the worker keeps running.
  const stray = (kind: string) => (thrown: unknown) => {
    const where = authorFrame(stackOf(thrown));
    problems?.push({
      code: 'load.ts-async',
      message: `the policy left ${kind}: ${describe(thrown)}`,
      hint: 'a policy must compute its document synchronously; remove the asynchronous code',
      ...(where ? { where } : {}),
    });
  };
  process.on('unhandledRejection', stray('a promise rejected that nothing handled'));
  process.on('uncaughtException', stray('an error thrown outside its evaluation'));
  // A policy must not end or signal the process that validates it.
  const refuse = (what: string) => () => {
    throw new Error(`${what} is not allowed in a policy file`);
  };
  process.exit = refuse('process.exit()') as typeof process.exit;
  process.kill = refuse('process.kill()') as typeof process.kill;
  process.abort = refuse('process.abort()') as typeof process.abort;

  const typeName = (value: object): string => {
    try {
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      return typeof name === 'string' && name !== '' ? name : 'an unnamed class';
    } catch {
      return 'an unknown class';
    }
  };
  const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

  /**
   * The export as plain JSON data, checked on the way: a value JSON cannot hold, a Map or class
   * instance (which a copy would read as `{}`), a getter that throws, a cycle, too much depth.
   * Null-prototype objects are plain data and are accepted. `undefined` properties are dropped,
   * as JSON.stringify does (optional values computed as `cond ? x : undefined`).
   */
  const toPlain = (value: unknown, pointer: string, ancestors: object[], out: EvalProblem[]): unknown => {
    const problem = (message: string, hint: string, code = 'load.ts-value', where?: SourceAt) => {
      out.push({ code, message, hint, pointer, ...(where ? { where } : {}) });
      return undefined;
    };
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number')
      return Number.isFinite(value) ? value : problem(`${value} is not a JSON number`, 'use a finite number');
    if (typeof value === 'bigint')
      return problem(`a bigint (${value}n) is not a JSON number`, 'write a plain number');
    if (typeof value === 'function')
      return problem('a function is not policy data', 'call it, and use the value it returns');
    if (typeof value !== 'object')
      return problem(
        `${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`} is not policy data`,
        'write a JSON value: string, number, boolean, null, array or object',
      );
    if (ancestors.includes(value))
      return problem(
        'circular reference: this value contains itself',
        'policy data is a tree: copy the value instead',
      );
    if (ancestors.length >= input.maxDepth)
      return problem(
        `nesting is deeper than ${input.maxDepth} levels`,
        'a policy never needs this much nesting',
        'load.ts-depth',
      );
    const read = (key: string | number): { value: unknown } | undefined => {
      try {
        return { value: (value as Record<string | number, unknown>)[key] };
      } catch (thrown) {
        const at = `${pointer}/${escape(String(key))}`;
        const where = authorFrame(stackOf(thrown));
        out.push({
          code: 'load.ts-throw',
          message: `reading "${String(key)}" threw ${describe(thrown)}`,
          hint: 'fix the getter, or write the value itself',
          pointer: at,
          ...(where ? { where } : {}),
        });
        return undefined;
      }
    };
    const inner = [...ancestors, value];
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        const at = `${pointer}/${i}`;
        if (!(i in value)) {
          out.push({
            code: 'load.ts-value',
            message: 'an empty slot in a list (a hole) is not policy data',
            hint: 'remove the extra comma',
            pointer: at,
          });
          continue;
        }
        const item = read(i);
        if (item && item.value === undefined)
          out.push({
            code: 'load.ts-value',
            message: 'undefined in a list is not policy data',
            hint: 'leave the element out, or filter the list',
            pointer: at,
          });
        else if (item) items.push(toPlain(item.value, at, inner, out));
      }
      return items;
    }
    let proto: unknown;
    try {
      proto = Object.getPrototypeOf(value);
    } catch (thrown) {
      return problem(`inspecting this value threw ${describe(thrown)}`, 'export plain data');
    }
    if (typeof (value as { then?: unknown }).then === 'function')
      return problem(
        'a Promise is not policy data: policies are evaluated synchronously',
        'compute the value without await or promises',
      );
    if (proto !== Object.prototype && proto !== null) {
      const name = typeName(value);
      const hints: Record<string, string> = {
        Map: 'a Map would read as an empty object: convert it with Object.fromEntries(map)',
        Set: 'use an array, e.g. [...set]',
        Date: 'write dates as "YYYY-MM-DD" strings',
        RegExp: 'write the pattern as a string',
      };
      return problem(
        `${hints[name] ? `a ${name}` : `an instance of ${name}`} is not a plain object`,
        hints[name] ?? 'write an object literal, or copy its fields: { ...value }',
      );
    }
    const result: Record<string, unknown> = {};
    let keys: string[];
    try {
      keys = Object.keys(value);
    } catch (thrown) {
      return problem(`listing the keys threw ${describe(thrown)}`, 'export plain data');
    }
    for (const key of keys) {
      const item = read(key);
      if (!item || item.value === undefined) continue;
      const plain = toPlain(item.value, `${pointer}/${escape(key)}`, inner, out);
      // defineProperty: a key named "__proto__" stays a key, as JSON.parse keeps it.
      Object.defineProperty(result, key, {
        value: plain,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  };

  const evaluate = async (file: string): Promise<Omit<EvalReply, 'id'>> => {
    const found: EvalProblem[] = [];
    problems = found;
    let namespace: Record<string, unknown>;
    try {
      namespace = (await jiti.import(file)) as Record<string, unknown>;
    } catch (thrown) {
      const text = thrown instanceof Error ? String(thrown.message) : '';
      // jiti's parse errors end with "path:line:column" (column 0-based) on a line of their own.
      const parse = /^ParseError: (.*?)\s*\n\s*(\S.*?):(\d+):(\d+)\s*$/s.exec(text);
      if (parse)
        found.push({
          code: 'load.ts-syntax',
          message: `syntax error: ${oneLine(parse[1]!)}`,
          hint: 'fix the TypeScript syntax at this position',
          where: { path: parse[2]!, line: Number(parse[3]), column: Number(parse[4]) + 1 },
        });
      else {
        const where = authorFrame(stackOf(thrown));
        found.push({
          code: 'load.ts-throw',
          message: `evaluating the policy threw ${describe(thrown)}`,
          hint: 'fix the code at this line: a policy file must evaluate without errors',
          ...(where ? { where } : {}),
        });
      }
      namespace = {};
    }
    // Let a promise rejected during evaluation surface as unhandled before answering.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
    problems = undefined;
    if (found.length > 0) return { problems: found };
    if (!('default' in namespace) || namespace.default === undefined) {
      const names = Object.keys(namespace).filter((k) => k !== 'default' && k !== '__esModule');
      found.push({
        code: 'load.ts-export',
        message: `a TypeScript policy must default-export a policy document or an array of them${names.length ? `; found only ${names.map((n) => `"${n}"`).join(', ')}` : ''}`,
        hint: 'add `export default definePolicy({ ... })`',
      });
      return { problems: found };
    }
    const exported = namespace.default;
    const array = Array.isArray(exported);
    const plain = toPlain(exported, '', [], found);
    const documents = array ? (plain as unknown[]) : [plain];
    documents.forEach((doc, i) => {
      if (found.length === 0 && (typeof doc !== 'object' || doc === null || Array.isArray(doc)))
        found.push({
          code: 'load.ts-export',
          message: `a policy document is an object; the default export${array ? ` /${i}` : ''} is ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : `a ${typeof doc}`}`,
          hint: 'export default definePolicy({ ... }), or an array of such objects',
          pointer: array ? `/${i}` : '',
        });
    });
    return found.length > 0 ? { problems: found } : { documents, array, problems: [] };
  };

  // One file at a time, in order: the main thread waits for each answer (and times it).
  port.on('message', (request: EvalRequest) => {
    void evaluate(request.file).then(
      (reply) => port.postMessage({ id: request.id, ...reply }),
      (thrown: unknown) =>
        port.postMessage({
          id: request.id,
          problems: [{ code: 'load.ts-throw', message: `evaluating the policy failed: ${describe(thrown)}` }],
        }),
    );
  });
  // Load the compiler now, so the time a file may take is the file's own.
  jiti.transform({ source: 'export default {};', filename: 'warm-up.ts', ts: true });
  port.postMessage({ ready: true });
}
/* eslint-enable @typescript-eslint/no-require-imports */
