import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasErrors, InvalidPolicyError, sortDiagnostics } from '../policy/diagnostics.js';
import { loadPolicies } from '../policy/load.js';
import { listPolicyFiles } from '../policy/read/files.js';
import { validateDocuments } from '../policy/validate.js';
import type { ExistingPolicy, ImportFile, ReviewNote } from './build.js';

/** How import writes policy files: JSON documents, or TypeScript modules through `definePolicy`. */
export type PolicyFormat = 'json' | 'ts';

/** `access.json` as it is written in `format`. */
export const fileNameIn = (name: string, format: PolicyFormat): string =>
  format === 'ts' ? name.replace(/\.json$/, '.ts') : name;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The policy already under `dir`, validated, or undefined when there is none (no folder, or no
 * policy file in it): import then proposes only the difference over it. A policy that does not
 * validate stops import: a difference over a policy nobody can plan would mean nothing.
 */
export async function readExistingPolicy(dir: string, today: string): Promise<ExistingPolicy | undefined> {
  if (!(await exists(dir))) return undefined;
  const listing = await listPolicyFiles(resolve(dir), (f) => f).catch(() => undefined);
  if (!listing || listing.files.length === 0) return undefined;
  const loaded = await loadPolicies(dir);
  const validated = validateDocuments(loaded.documents, {
    today,
    incomplete: hasErrors(loaded.diagnostics),
  });
  const diagnostics = sortDiagnostics([...loaded.diagnostics, ...validated.diagnostics]);
  if (!validated.policy || hasErrors(loaded.diagnostics))
    throw new InvalidPolicyError(
      diagnostics,
      `${dir} holds a policy that does not validate: import proposes a difference only over a valid policy`,
      {
        code: 'import.existing-invalid',
        hint: `fix it (accord validate -p ${dir}), or import afresh: into another folder (--out DIR), or over it with --force`,
      },
    );
  return { policy: validated.policy, documents: loaded.documents };
}

/** `name`, or `name` numbered (`-2`, `-3`, ...) before its extension when `dir` has it already. */
export async function freeName(dir: string, name: string): Promise<string> {
  const dot = name.lastIndexOf('.');
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${name.slice(0, dot)}-${n}${name.slice(dot)}`;
    if (!(await exists(join(dir, candidate)))) return candidate;
  }
}

/** accord's own schema, for editor completion: beside src/ and dist/ alike, one level up. */
const schemaPath = fileURLToPath(new URL('../../schemas/policy.schema.json', import.meta.url));

/**
 * Writes each file whole (a temp file renamed over it), then the review note if any; returns the
 * paths written.
 */
export async function writeImportFiles(
  dir: string,
  files: readonly ImportFile[],
  format: PolicyFormat = 'json',
  review?: ReviewNote,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const schema = relative(resolve(dir), schemaPath).split(sep).join('/');
  const written: string[] = [];
  const write = async (name: string, fresh: boolean | undefined, text: string) => {
    const path = join(dir, fresh ? await freeName(dir, name) : name);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, path);
    written.push(path);
  };
  for (const f of files)
    await write(
      fileNameIn(f.name, format),
      f.freshName,
      format === 'ts'
        ? tsPolicyModule(f)
        : `${JSON.stringify({ $schema: schema, ...f.document }, null, 2)}\n`,
    );
  if (review && (await readFile(join(dir, review.name), 'utf8').catch(() => undefined)) !== review.text)
    await write(review.name, false, review.text);
  return written;
}

/**
 * A TypeScript policy file with the same document: `export default definePolicy({ ... })`, the
 * form accord's TS loader evaluates (and editors type-check against `accord-access`).
 */
export function tsPolicyModule(f: ImportFile): string {
  return (
    `// ${f.header ?? 'Written by accord import.'}\n` +
    `import { definePolicy } from 'accord-access';\n\n` +
    `export default definePolicy(${tsLiteral(f.document, '')});\n`
  );
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A single-quoted string literal (JSON's escapes, which TypeScript reads the same; line separators escaped too). */
const tsString = (s: string): string =>
  `'${JSON.stringify(s)
    .slice(1, -1)
    .replace(/\\"/g, '"')
    .replace(/'/g, "\\'")
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}'`;

/** A key as written: bare when a name; `__proto__` computed, since in a literal it sets the prototype. */
const keyOf = (k: string): string =>
  k === '__proto__' ? `['__proto__']` : IDENTIFIER.test(k) ? k : tsString(k);

/** JSON data as a TypeScript literal: unquoted keys where they are names, what is short on one line. */
export function tsLiteral(value: unknown, indent: string): string {
  if (typeof value === 'string') return tsString(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => tsLiteral(v, inner));
    const flat = `[${items.join(', ')}]`;
    if (!items.some((i) => i.includes('\n')) && indent.length + flat.length <= 100) return flat;
    return `[\n${items.map((i) => `${inner}${i},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const fields = entries.map(([k, v]) => `${keyOf(k)}: ${tsLiteral(v, inner)}`);
  const flat = `{ ${fields.join(', ')} }`;
  if (!fields.some((f) => f.includes('\n')) && indent.length + flat.length <= 100) return flat;
  return `{\n${fields.map((f) => `${inner}${f},`).join('\n')}\n${indent}}`;
}
