import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, isAbsolute } from 'node:path';
import type { Diagnostic, Severity } from '../diagnostics.js';
import { fileDiagnostic } from './file-diagnostic.js';

/** One policy file to read. */
export interface PolicyFile {
  /** Path as listed under the folder (a symlink's own path when reached through one). */
  absolute: string;
  /** Where the bytes really are. */
  real: string;
  format: 'json' | 'ts';
}

export interface Listing {
  /** Real path of the policies folder. */
  root: string;
  files: PolicyFile[];
  diagnostics: Diagnostic[];
}

const FORMATS: Record<string, 'json' | 'ts'> = { '.json': 'json', '.ts': 'ts' };

const formatOf = (name: string): 'json' | 'ts' | undefined =>
  name.endsWith('.d.ts') ? undefined : FORMATS[extname(name)];

const within = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Every *.json and *.ts under `dir`, recursively, in a stable order (code-unit order of the path,
 * the same on every machine).
 *
 * Symlinks are followed when they point inside the policies folder, and refused (an error) when
 * they point outside it: a pull request's review shows the folder, and a link to /etc or to
 * another checkout would load policy nobody reviewed. Nothing is skipped silently: a broken link,
 * a link loop, a file reached twice (through a link to a file or folder already read) and a
 * policy-named entry that is not a regular file each get a diagnostic.
 */
export async function listPolicyFiles(dir: string, shown: (path: string) => string): Promise<Listing> {
  const root = await realpath(dir);
  const diagnostics: Diagnostic[] = [];
  const found: (PolicyFile & { viaLink: boolean })[] = [];
  const foldersRead = new Set<string>([root]);
  const unread = (path: string, code: string, message: string, hint: string, severity: Severity = 'error') =>
    diagnostics.push({ ...fileDiagnostic(shown(path), code, message, hint), severity });

  const visitLink = async (path: string, name: string) => {
    let target: string;
    let info: Stats;
    try {
      target = await realpath(path);
      info = await stat(target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // `.#name` is an editor's lock file (a dangling link by design); `notes.md` is no policy.
      if (name.startsWith('.#') || (extname(name) !== '' && !formatOf(name))) return;
      const what =
        code === 'ELOOP'
          ? 'is a symlink loop'
          : code === 'ENOENT'
            ? 'is a symlink to something that does not exist'
            : `is a symlink that cannot be followed (${code ?? String(error)})`;
      // Without an extension the link may have been a folder: say so, but it is not a policy file.
      unread(
        path,
        'load.symlink',
        `${what}; it was not read`,
        'fix or remove the link',
        formatOf(name) ? 'error' : 'warning',
      );
      return;
    }
    if (!info.isDirectory() && !formatOf(name)) return; // a link to some other kind of file
    if (!within(root, target)) {
      unread(
        path,
        'load.symlink-outside',
        `is a symlink to "${target}", outside the policies folder; accord refuses it`,
        'copy the file into the policies folder: review must see every policy that is loaded',
      );
      return;
    }
    if (info.isDirectory()) {
      if (!foldersRead.has(target)) {
        foldersRead.add(target);
        await visitFolder(path, target, true);
      } else
        unread(
          path,
          'load.symlink-duplicate',
          `is a symlink to ${target === root ? 'the policies folder itself' : `the folder "${shown(target)}"`}, which is already read; skipped`,
          'remove the link: each policy file is read once',
          'warning',
        );
    } else if (info.isFile())
      found.push({ absolute: path, real: target, format: formatOf(name)!, viaLink: true });
    else unread(path, 'load.not-a-file', NOT_A_FILE, 'policy files are ordinary files');
  };

  const visitFolder = async (path: string, real: string, viaLink: boolean): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (error) {
      if (path === dir) throw error;
      unread(
        path,
        'load.unreadable',
        `folder cannot be read (${(error as NodeJS.ErrnoException).code})`,
        'check its permissions',
      );
      return;
    }
    for (const entry of entries) {
      const child = join(path, entry.name);
      const childReal = join(real, entry.name);
      if (entry.isDirectory()) {
        if (foldersRead.has(childReal)) continue;
        foldersRead.add(childReal);
        await visitFolder(child, childReal, viaLink);
      } else if (entry.isSymbolicLink()) await visitLink(child, entry.name);
      else if (!formatOf(entry.name)) continue;
      else if (entry.isFile())
        found.push({ absolute: child, real: childReal, format: formatOf(entry.name)!, viaLink });
      else unread(child, 'load.not-a-file', NOT_A_FILE, 'policy files are ordinary files');
    }
  };

  await visitFolder(dir, root, false);
  found.sort((a, b) => (a.absolute < b.absolute ? -1 : a.absolute > b.absolute ? 1 : 0));
  // A file reached twice (itself and through a link) is read once: under its own name if it has
  // one in the folder, else under the first link. A link is harmless then, so only a warning.
  const files: PolicyFile[] = [];
  const kept = new Set<string>();
  const direct = new Set(found.filter((f) => !f.viaLink).map((f) => f.real));
  for (const f of found) {
    if (kept.has(f.real) || (f.viaLink && direct.has(f.real)))
      unread(
        f.absolute,
        'load.symlink-duplicate',
        `is reached through a symlink to "${shown(f.real)}", which is already read; skipped`,
        'remove the link: each policy file is read once',
        'warning',
      );
    else {
      kept.add(f.real);
      files.push({ absolute: f.absolute, real: f.real, format: f.format });
    }
  }
  return { root, files, diagnostics };
}

const NOT_A_FILE = 'is not a regular file (a FIFO, socket or device); it was not read';
