import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccordError } from '../errors.js';
import type { ImportFile } from './build.js';

/** The files `accord import` writes, in this order. */
export const IMPORT_FILE_NAMES = [
  'platforms.json',
  'identity.json',
  'access.json',
  'exceptions.json',
  'guardrails.json',
] as const;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Refuses, before anything is read, to overwrite policy files unless `force`. */
export async function checkWritable(dir: string, force: boolean): Promise<void> {
  if (force) return;
  const taken: string[] = [];
  for (const name of IMPORT_FILE_NAMES) if (await exists(join(dir, name))) taken.push(name);
  if (taken.length > 0)
    throw new AccordError(
      `${dir} already holds ${taken.join(', ')}: import does not overwrite policy files`,
      {
        code: 'import.exists',
        hint: 'import into a new folder with --out DIR, or pass --force to overwrite them',
      },
    );
}

/** accord's own schema, for editor completion: beside src/ and dist/ alike, one level up. */
const schemaPath = fileURLToPath(new URL('../../schemas/policy.schema.json', import.meta.url));

/** Writes each file whole (a temp file renamed over it); returns the paths written. */
export async function writeImportFiles(dir: string, files: readonly ImportFile[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const schema = relative(resolve(dir), schemaPath).split(sep).join('/');
  const written: string[] = [];
  for (const f of files) {
    const path = join(dir, f.name);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ $schema: schema, ...f.document }, null, 2)}\n`);
    await rename(tmp, path);
    written.push(path);
  }
  return written;
}
