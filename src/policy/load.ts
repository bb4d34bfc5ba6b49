import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { Diagnostic } from './diagnostics.js';
import { jsonLocator, positionAt, textLocator, type Locator } from './locate.js';

/** One policy document as loaded, with what is needed to point back into its source. */
export interface LoadedDocument {
  /** Path as shown to the user (relative to the current directory). */
  file: string;
  format: 'json' | 'ts';
  /** The document value (not yet validated). */
  value: unknown;
  /** JSON pointer prefix of this value inside the file's export (TS files may export arrays). */
  base: string;
  locate: Locator;
}

export interface LoadOptions {
  /** Refuse `.ts` files (they run as code). */
  noCode?: boolean;
  /** Directory paths are shown relative to this. @default process.cwd() */
  cwd?: string;
}

export interface LoadResult {
  documents: LoadedDocument[];
  diagnostics: Diagnostic[];
}

const POLICY_EXTENSIONS = new Set(['.json', '.ts']);

/** Every *.json and *.ts under `dir`, recursively, in a stable order (byte order of the path). */
export async function listPolicyFiles(dir: string): Promise<string[]> {
  const entries = await readdir(resolve(dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && POLICY_EXTENSIONS.has(extname(e.name)) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort(); // a string array's default sort is code-unit order: the same on every machine
}

const diagnostic = (file: string, code: string, message: string, hint?: string, line = 1, column = 1) =>
  ({
    severity: 'error',
    code,
    file,
    line,
    column,
    pointer: '',
    message,
    ...(hint ? { hint } : {}),
  }) as Diagnostic;

function loadJson(file: string, text: string): LoadResult {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0) {
    return {
      documents: [],
      // One report per position: a single slip often trips several parser expectations at once.
      diagnostics: errors
        .filter((e, i) => errors.findIndex((x) => x.offset === e.offset) === i)
        .map((e) => {
          const pos = positionAt(text, e.offset);
          return diagnostic(
            file,
            'parse.json',
            `malformed JSON: ${describeParseError(printParseErrorCode(e.error))}`,
            'fix the JSON syntax at this position (policy files are strict JSON: no comments, no trailing commas)',
            pos.line,
            pos.column,
          );
        }),
    };
  }
  const value = JSON.parse(text) as unknown;
  return {
    documents: [{ file, format: 'json', value, base: '', locate: jsonLocator(text, tree) }],
    diagnostics: [],
  };
}

const describeParseError = (code: string): string =>
  code
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace('comma expected', 'expected a comma')
    .replace('colon expected', 'expected a colon');

/** The `accord` module a TS policy imports `definePolicy` from, resolved to our own source. */
const selfModule = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../index.ts' : '../index.js', import.meta.url),
);

const settingsOf = (value: unknown): { allowCode?: unknown } | undefined =>
  typeof value === 'object' && value !== null && 'settings' in value
    ? ((value as { settings?: { allowCode?: unknown } }).settings ?? undefined)
    : undefined;

async function loadTs(file: string, absolute: string, text: string): Promise<LoadResult> {
  const jiti = createJiti(import.meta.url, {
    moduleCache: false,
    fsCache: false,
    interopDefault: true,
    alias: { accord: selfModule },
  });
  let exported: unknown;
  try {
    exported = await jiti.import(absolute, { default: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      documents: [],
      diagnostics: [
        diagnostic(
          file,
          'load.ts',
          `could not run TypeScript policy: ${message}`,
          'fix the error in this file',
        ),
      ],
    };
  }
  const locate = textLocator(text);
  const values = Array.isArray(exported) ? exported : [exported];
  if (exported === undefined || exported === null) {
    return {
      documents: [],
      diagnostics: [
        diagnostic(
          file,
          'load.ts-export',
          'a TypeScript policy must default-export a policy document or an array of them',
          'add `export default definePolicy({ ... })`',
        ),
      ],
    };
  }
  return {
    documents: values.map((value, i) => ({
      file,
      format: 'ts' as const,
      value,
      base: Array.isArray(exported) ? `/${i}` : '',
      locate,
    })),
    diagnostics: [],
  };
}

/**
 * Loads every policy document under `dir`. Files that cannot be read or parsed become
 * diagnostics; the rest still load, so one run reports every problem.
 */
export async function loadPolicies(dir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  let files: string[];
  try {
    files = await listPolicyFiles(dir);
  } catch {
    return {
      documents: [],
      diagnostics: [
        diagnostic(
          dir,
          'load.dir',
          `policies folder "${dir}" does not exist or cannot be read`,
          'pass --policies DIR',
        ),
      ],
    };
  }
  if (files.length === 0) {
    return {
      documents: [],
      diagnostics: [
        diagnostic(
          dir,
          'load.empty',
          `no *.json or *.ts policy files under "${dir}"`,
          'run `accord init` or pass --policies DIR',
        ),
      ],
    };
  }
  const shown = (f: string) => relative(cwd, f).split(sep).join('/') || f;
  // JSON first: a JSON document may forbid code (settings.allowCode: false) before any TS runs.
  const results = new Map<string, LoadResult>();
  for (const absolute of files.filter((f) => f.endsWith('.json'))) {
    results.set(absolute, loadJson(shown(absolute), await readFile(absolute, 'utf8')));
  }
  const codeForbidden =
    options.noCode ||
    [...results.values()].some((r) => r.documents.some((d) => settingsOf(d.value)?.allowCode === false));
  for (const absolute of files.filter((f) => f.endsWith('.ts'))) {
    const file = shown(absolute);
    results.set(
      absolute,
      codeForbidden
        ? {
            documents: [],
            diagnostics: [
              diagnostic(
                file,
                'load.no-code',
                'TypeScript policies are refused because code execution is disabled (--no-code or settings.allowCode: false)',
                'convert this file to JSON, or drop --no-code if the policy source is trusted',
              ),
            ],
          }
        : await loadTs(file, absolute, await readFile(absolute, 'utf8')),
    );
  }
  const ordered = files.map((f) => results.get(f)!);
  return {
    documents: ordered.flatMap((r) => r.documents),
    diagnostics: ordered.flatMap((r) => r.diagnostics),
  };
}
