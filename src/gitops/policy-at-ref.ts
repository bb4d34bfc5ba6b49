import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { AccordError } from '../errors.js';
import { hasErrors, InvalidPolicyError, sortDiagnostics, type Diagnostic } from '../policy/diagnostics.js';
import { loadPolicies } from '../policy/load.js';
import type { Policy } from '../policy/policy.js';
import { validateDocuments } from '../policy/validate.js';

/** A Git repository opened for reading policies at refs, never touching the working tree. */
export interface PolicyRepo {
  git: SimpleGit;
  /** Absolute top level of the working tree. */
  root: string;
  /** Absolute git directory (`.git`, or the worktree's own). */
  gitDir: string;
}

export interface PolicyAtRef {
  /** The ref as the user wrote it. */
  ref: string;
  /** The commit it resolved to. */
  commit: string;
  /** Present only when the policy at that ref is valid. */
  policy?: Policy;
  /** File names are `<ref>:<path from the repository root>`. */
  diagnostics: Diagnostic[];
}

export interface PolicyAtRefOptions {
  /** The policies folder, relative to `cwd` (as `--policies` is everywhere else). */
  policies: string;
  /** Refuse `.ts` policies (they run as code). */
  noCode?: boolean;
  /** Today's date (UTC, YYYY-MM-DD), for expiry warnings. */
  today?: string;
  cwd?: string;
}

const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).trim().split('\n')[0] ?? '';

export async function openPolicyRepo(cwd = process.cwd()): Promise<PolicyRepo> {
  let git: SimpleGit;
  try {
    git = simpleGit({ baseDir: cwd });
  } catch (error) {
    throw new AccordError(`cannot open a git repository at ${cwd}: ${firstLine(error)}`, {
      code: 'git.open',
    });
  }
  if (!(await git.checkIsRepo().catch(() => false)))
    throw new AccordError(`${cwd} is not inside a git repository`, {
      code: 'git.not-a-repo',
      hint: '`accord diff` compares policies between git refs; run it inside the access repository',
    });
  const [root, gitDir] = (await git.revparse(['--show-toplevel', '--absolute-git-dir']))
    .split('\n')
    .map((l) => l.trim());
  if (!root || !gitDir)
    throw new AccordError(`${cwd} is a bare git repository or has no working tree`, { code: 'git.bare' });
  return { git: simpleGit({ baseDir: root }), root, gitDir };
}

/** The commit a ref names, or a one-line error. Refs starting with `-` would be read as options. */
async function resolveCommit(repo: PolicyRepo, ref: string): Promise<string> {
  if (ref === '' || ref.startsWith('-'))
    throw new AccordError(`"${ref}" is not a git ref`, { code: 'git.unknown-ref' });
  const commit = await repo.git
    .raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
    .then((out) => out.trim().split('\n')[0] ?? '')
    .catch(() => '');
  if (!/^[0-9a-f]{40,64}$/.test(commit)) {
    throw new AccordError(`unknown git ref "${ref}"`, {
      code: 'git.unknown-ref',
      hint:
        ref.startsWith('origin/') || ref.includes('/')
          ? 'fetch it first (in CI: actions/checkout with fetch-depth: 0)'
          : 'check the branch, tag or commit name (`git log --oneline`)',
    });
  }
  return commit;
}

/** The policies folder as a path from the repository root (posix), refusing one outside it. */
async function policiesPathInRepo(repo: PolicyRepo, policies: string, cwd: string): Promise<string> {
  const absolute = resolve(cwd, policies);
  // The working-tree folder may not exist (deleted on this branch): resolve its nearest real parent.
  let real = absolute;
  let suffix = '';
  for (;;) {
    try {
      real = join(await realpath(real), suffix);
      break;
    } catch {
      const parent = dirname(real);
      if (parent === real) break;
      suffix = join(real.slice(parent.length + 1), suffix);
      real = parent;
    }
  }
  const inRepo = relative(repo.root, real);
  if (inRepo.startsWith('..') || isAbsolute(inRepo))
    throw new AccordError(`policies folder "${policies}" is outside the git repository ${repo.root}`, {
      code: 'git.outside',
    });
  return inRepo.split(sep).join(posix.sep);
}

interface TreeBlob {
  mode: string;
  sha: string;
  path: string;
}

async function blobsUnder(repo: PolicyRepo, commit: string, dir: string): Promise<TreeBlob[]> {
  const args = ['ls-tree', '-r', '-z', '--full-tree', commit];
  if (dir !== '') args.push('--', dir);
  const out = await repo.git.raw(args);
  return (
    out
      .split('\0')
      .filter((entry) => entry !== '')
      .map((entry) => {
        const tab = entry.indexOf('\t');
        const [mode = '', type = '', sha = ''] = entry.slice(0, tab).split(' ');
        return { mode, type, sha, path: entry.slice(tab + 1) };
      })
      // Symlinks could point anywhere on the runner, submodules are other repositories: neither is policy.
      .filter((e) => e.type === 'blob' && e.mode !== '120000')
  );
}

/**
 * Reads the policies folder as it is at `ref`, with no checkout: the blobs are written under the
 * git directory (never the working tree) and loaded by the same loader as a folder on disk, so
 * JSON positions, the allowCode switch and `--no-code` behave exactly as in `accord validate`.
 * Under the git directory, a TS policy's imports still resolve the repository's node_modules.
 */
export async function loadPolicyAtRef(
  repo: PolicyRepo,
  ref: string,
  options: PolicyAtRefOptions,
): Promise<PolicyAtRef> {
  const commit = await resolveCommit(repo, ref);
  const dir = await policiesPathInRepo(repo, options.policies, options.cwd ?? process.cwd());
  const blobs = await blobsUnder(repo, commit, dir);
  const shown = dir === '' ? '.' : dir;
  if (!blobs.some((b) => /\.(json|ts)$/.test(b.path) && !b.path.endsWith('.d.ts'))) {
    return {
      ref,
      commit,
      diagnostics: [
        {
          severity: 'error',
          code: 'load.empty',
          file: `${ref}:${shown}`,
          line: 1,
          column: 1,
          pointer: '',
          message: `no *.json or *.ts policy files under "${shown}" at ${ref}`,
          hint: 'check --policies and the ref',
        },
      ],
    };
  }
  const scratchParent = join(repo.gitDir, 'accord');
  await mkdir(scratchParent, { recursive: true });
  const scratch = await mkdtemp(join(scratchParent, 'ref-'));
  try {
    for (const blob of blobs) {
      const target = join(scratch, blob.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, (await repo.git.binaryCatFile(['blob', blob.sha])) as Buffer);
    }
    const loaded = await loadPolicies(dir === '' ? scratch : join(scratch, dir), {
      cwd: scratch,
      ...(options.noCode ? { noCode: true } : {}),
    });
    const rename = (d: Diagnostic): Diagnostic => ({ ...d, file: `${ref}:${d.file}` });
    const documents = loaded.documents.map((d) => ({ ...d, file: `${ref}:${d.file}` }));
    const loadDiagnostics = loaded.diagnostics.map(rename);
    if (hasErrors(loadDiagnostics)) return { ref, commit, diagnostics: sortDiagnostics(loadDiagnostics) };
    const validated = validateDocuments(documents, options.today ? { today: options.today } : {});
    return {
      ref,
      commit,
      ...(validated.policy ? { policy: validated.policy } : {}),
      diagnostics: sortDiagnostics([...loadDiagnostics, ...validated.diagnostics]),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Thrown when a side's policy does not validate; carries the diagnostics for the caller to print. */
export class InvalidPolicyAtRef extends InvalidPolicyError {
  constructor(readonly side: PolicyAtRef) {
    super(
      side.diagnostics,
      `the policy at ${side.ref} (${side.commit.slice(0, 12)}) is invalid; nothing was compared`,
      {
        code: 'diff.invalid-policy',
        hint: `check it out and run \`accord validate\`, or see the errors above`,
      },
    );
  }
}
