import { open } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { codeGate, type CodeGate } from './read/code-gate.js';
import type { LoadedDocument } from './read/document.js';
import { decodePolicyText } from './read/encoding.js';
import { fileDiagnostic } from './read/file-diagnostic.js';
import { listPolicyFiles, type PolicyFile } from './read/files.js';
import { readJsonPolicy } from './read/json.js';
import { runTsPolicies, type TsFile } from './read/ts-run.js';

export type { LoadedDocument } from './read/document.js';

export interface LoadOptions {
  /** Refuse `.ts` files (they run as code). */
  noCode?: boolean;
  /** Directory paths are shown relative to this. @default process.cwd() */
  cwd?: string;
  /** How long one TS policy may take to evaluate. @default 10000 */
  codeTimeoutMs?: number;
}

export interface LoadResult {
  documents: LoadedDocument[];
  diagnostics: Diagnostic[];
}

/** Far above any real policy file; a bigger one is a mistake (a dump, a build artefact). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

const DEFAULT_CODE_TIMEOUT_MS = 10_000;

type Read = { bytes: Uint8Array } | { diagnostic: Diagnostic };

/** A file's bytes, or why they cannot be had (never an exception: one bad file must not hide the rest). */
async function readBytes(path: string, file: string): Promise<Read> {
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_FILE_BYTES)
        return {
          diagnostic: fileDiagnostic(
            file,
            'load.too-large',
            `file is ${(size / 1024 / 1024).toFixed(1)} MB; policy files are at most ${MAX_FILE_BYTES / 1024 / 1024} MB`,
            'split the policy into several files (is this file generated?)',
          ),
        };
      return { bytes: await handle.readFile() };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return {
      diagnostic: fileDiagnostic(
        file,
        'load.unreadable',
        `file cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        'check that the file exists and is readable',
      ),
    };
  }
}

const refused = (file: string, gate: Extract<CodeGate, { allowed: false }>): Diagnostic =>
  fileDiagnostic(
    file,
    'load.no-code',
    `TypeScript policies are refused because code execution is disabled (${gate.reason})`,
    gate.hint,
  );

/**
 * Loads every policy document under `dir`. Files that cannot be read or parsed become
 * diagnostics; the rest still load, so one run reports every problem. JSON is read first and
 * decides whether TS may run at all (see code-gate.ts); TS runs in a worker (see ts-run.ts).
 */
export async function loadPolicies(dir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const shown = (f: string) => relative(cwd, f).split(sep).join('/') || f;
  let listing: Awaited<ReturnType<typeof listPolicyFiles>>;
  try {
    listing = await listPolicyFiles(resolve(dir), shown);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      documents: [],
      diagnostics: [
        fileDiagnostic(
          dir,
          'load.dir',
          code === 'ENOTDIR'
            ? `policies folder "${dir}" is a file, not a folder`
            : `policies folder "${dir}" does not exist or cannot be read`,
          'pass --policies DIR',
        ),
      ],
    };
  }
  const { files, root } = listing;
  if (files.length === 0) {
    return {
      documents: [],
      diagnostics: [
        ...listing.diagnostics,
        fileDiagnostic(
          dir,
          'load.empty',
          `no *.json or *.ts policy files under "${dir}"`,
          'run `accord init` or pass --policies DIR',
        ),
      ],
    };
  }
  const results = new Map<string, LoadResult>();
  // A JSON entry the listing refused (a broken link, say) counts as unread: it might forbid code.
  const unreadableJson = listing.diagnostics
    .filter((d) => d.severity === 'error' && d.file.endsWith('.json'))
    .map((d) => d.file);
  for (const f of files.filter((x) => x.format === 'json')) {
    const file = shown(f.absolute);
    const read = await readBytes(f.absolute, file);
    const json = 'bytes' in read ? readJsonPolicy(file, read.bytes) : { diagnostics: [read.diagnostic] };
    if (!json.document) unreadableJson.push(file);
    results.set(f.absolute, {
      documents: json.document ? [json.document] : [],
      diagnostics: json.diagnostics,
    });
  }
  const ts = await readTsSources(files, shown, results);
  const gate = codeGate({
    ...(options.noCode ? { noCode: true } : {}),
    unreadableJson,
    json: [...results.values()].flatMap((r) => r.documents),
    ts,
  });
  if (!gate.allowed)
    for (const t of ts) results.set(t.absolute, { documents: [], diagnostics: [refused(t.file, gate)] });
  else if (ts.length > 0) {
    const ran = await runTsPolicies(ts, {
      root,
      timeoutMs: options.codeTimeoutMs ?? DEFAULT_CODE_TIMEOUT_MS,
      shown,
    });
    for (const [absolute, read] of ran) results.set(absolute, read);
    refuseCodeThatSetsAllowCode(ts, results);
  }
  const ordered = files.map((f) => results.get(f.absolute)).filter((r) => r !== undefined);
  return {
    documents: ordered.flatMap((r) => r.documents),
    diagnostics: [...listing.diagnostics, ...ordered.flatMap((r) => r.diagnostics)],
  };
}

/**
 * The source scan of the code gate cannot see `allowCode` spelt by computation; the value can.
 * Code that ran and then says allowCode is anything but `true` has every TS document dropped:
 * the setting must not be decided by what it guards.
 */
function refuseCodeThatSetsAllowCode(ts: TsFile[], results: Map<string, LoadResult>): void {
  const setter = ts.find((t) =>
    results
      .get(t.absolute)
      ?.documents.some(
        (d) => ![undefined, true].includes(settingsOf(d.value)?.allowCode as boolean | undefined),
      ),
  );
  if (!setter) return;
  for (const t of ts) {
    const read = results.get(t.absolute);
    if (!read || read.documents.length === 0) continue;
    results.set(t.absolute, {
      documents: [],
      diagnostics: [
        ...read.diagnostics,
        fileDiagnostic(
          t.file,
          'load.no-code',
          `TypeScript policies are refused because ${setter.file} sets settings.allowCode in code, and code cannot switch code off or on`,
          'write settings.allowCode in a JSON file',
        ),
      ],
    });
  }
}

const settingsOf = (value: unknown): { allowCode?: unknown } | undefined => {
  const settings =
    typeof value === 'object' && value !== null ? (value as { settings?: unknown }).settings : undefined;
  return typeof settings === 'object' && settings !== null
    ? (settings as { allowCode?: unknown })
    : undefined;
};

/** The text of each TS file (read and decoded, not run): the code gate reads it first. */
async function readTsSources(
  files: PolicyFile[],
  shown: (f: string) => string,
  results: Map<string, LoadResult>,
): Promise<TsFile[]> {
  const out: TsFile[] = [];
  for (const f of files.filter((x) => x.format === 'ts')) {
    const file = shown(f.absolute);
    const read = await readBytes(f.absolute, file);
    const decoded = 'bytes' in read ? decodePolicyText(read.bytes) : undefined;
    if (!decoded || 'problem' in decoded) {
      const p = decoded && 'problem' in decoded ? decoded.problem : undefined;
      results.set(f.absolute, {
        documents: [],
        diagnostics: [
          p
            ? fileDiagnostic(file, p.code, p.message, p.hint, p.at)
            : (read as { diagnostic: Diagnostic }).diagnostic,
        ],
      });
      continue;
    }
    if (decoded.text.trim() === '') {
      results.set(f.absolute, {
        documents: [],
        diagnostics: [
          fileDiagnostic(
            file,
            'load.empty-file',
            'file is empty: a TypeScript policy default-exports a policy document',
            'add `export default definePolicy({ ... })`, or delete the file',
          ),
        ],
      });
      continue;
    }
    out.push({ absolute: f.absolute, real: f.real, file, text: decoded.text });
  }
  return out;
}
