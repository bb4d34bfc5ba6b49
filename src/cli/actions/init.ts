import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccordError } from '../../errors.js';

interface InitOptions {
  force?: boolean;
}

/** Shipped beside src/ and dist/ alike: both are one level below the package root. */
export const templatesDir = fileURLToPath(new URL('../../../templates/init/', import.meta.url));

/** Entries that may already be in DIR without making it "non-empty": `git init` comes first. */
const IGNORED = new Set(['.git']);

async function templateFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort(); // code-unit order: a string array's default
}

async function existingEntries(dir: string): Promise<string[] | undefined> {
  try {
    if (!(await stat(dir)).isDirectory())
      throw new AccordError(`${dir} exists and is not a directory`, { code: 'init.not-a-directory' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return (await readdir(dir)).filter((name) => !IGNORED.has(name));
}

/** The accord version the new repository pins: this one. */
async function ownVersion(): Promise<string> {
  const pkg = JSON.parse(
    await readFile(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8'),
  ) as { version: string };
  return pkg.version;
}

/** Copies the template tree into `target`; returns the files written, relative to it. */
export async function scaffold(target: string, options: InitOptions = {}): Promise<string[]> {
  const existing = await existingEntries(target);
  if (existing && existing.length > 0 && !options.force)
    throw new AccordError(
      `${target} is not empty (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', ...' : ''})`,
      {
        code: 'init.not-empty',
        hint: 'choose an empty or new directory, or pass --force to write the template files over what is there',
      },
    );
  const version = await ownVersion();
  const files = await templateFiles(templatesDir);
  for (const file of files) {
    const from = join(templatesDir, file);
    // npm leaves a package's .gitignore files out of the tarball, so the template ships it undotted.
    const to = join(target, file === 'gitignore' ? '.gitignore' : file);
    await mkdir(dirname(to), { recursive: true });
    if (file === 'package.json') {
      const text = await readFile(from, 'utf8');
      await writeFile(to, text.replaceAll('{{ACCORD_VERSION}}', version));
    } else await copyFile(from, to);
  }
  return files.map((f) => (f === 'gitignore' ? '.gitignore' : f.split(sep).join('/')));
}

/** `accord init [DIR]` (declared in commands/init.ts). */
export default async function init(dir: string, options: InitOptions): Promise<void> {
  const target = resolve(dir);
  const files = await scaffold(target, options);
  process.stdout.write(
    [
      `Created an accord repository in ${dir} (${files.length} files):`,
      ...files.map((f) => `  ${f}`),
      '',
      'Next:',
      `  cd ${dir}`,
      '  npm install            # pins accord in package-lock.json; commit it',
      '  npx accord validate',
      '  git init && git add . && git commit -m "accord: starter policy"',
      'Then add the repository secrets listed in README.md before pushing to GitHub.',
      '',
    ].join('\n'),
  );
  process.exitCode = 0;
}
