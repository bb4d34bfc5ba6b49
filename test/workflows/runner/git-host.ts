/**
 * A local bare repository standing in for GitHub's side of git: branches, pull requests with
 * their `refs/pull/<n>/head` and `refs/pull/<n>/merge` refs (the test merge commit a pull_request
 * run checks out), fast-forward merges, and a protected default branch. A pre-receive hook refuses
 * any push to main that is not the host's own (a merge), and any push at all from a job whose
 * token lacks `contents: write`; every accepted push is logged, so a test can say what a
 * workflow pushed where.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface HostRepository {
  id: number;
  owner: string;
  name: string;
  full_name: string;
  default_branch: string;
}

export interface HostPull {
  number: number;
  headRef: string;
  baseRef: string;
  headSha: string;
  baseSha: string;
  mergeSha: string;
  mergedAt?: string;
  mergeCommitSha?: string;
}

export interface HostPush {
  ref: string;
  before: string;
  after: string;
}

const IDENTITY = ['-c', 'user.name=Test Admin', '-c', 'user.email=admin@acme.test'];

const HOOK = `#!/usr/bin/env bash
# The test host's branch protection and push log (see git-host.ts).
set -euo pipefail
perms="$(cat "$GIT_DIR/accord-test-contents-permission" 2>/dev/null || echo write)"
while read -r before after ref; do
  if [ "\${ACCORD_TEST_HOST_ADMIN:-}" != 1 ]; then
    if [ "$perms" != write ]; then
      echo "refused: the job's token has contents: $perms, a push needs contents: write" >&2
      exit 1
    fi
    if [ "$ref" = refs/heads/main ]; then
      echo "refused: main is a protected branch (changes arrive by pull request)" >&2
      exit 1
    fi
    echo "$ref $before $after" >> "$GIT_DIR/accord-test-pushes.log"
  fi
done
`;

export class GitHost {
  readonly bare: string;
  readonly url: string;
  readonly repository: HostRepository = {
    id: 424242,
    owner: 'acme',
    name: 'access',
    full_name: 'acme/access',
    default_branch: 'main',
  };
  readonly pulls: HostPull[] = [];
  private readonly admin: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true });
    this.bare = join(root, 'github', 'acme', 'access.git');
    this.url = `file://${this.bare}`;
    this.admin = join(root, 'host-admin');
    this.env = {
      PATH: process.env.PATH,
      HOME: root,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      ACCORD_TEST_HOST_ADMIN: '1',
    };
    mkdirSync(dirname(this.bare), { recursive: true });
    this.git(root, 'init', '-q', '--bare', '-b', 'main', this.bare);
    // As GitHub does: a checkout may fetch a commit by its SHA.
    this.git(this.bare, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
    const hook = join(this.bare, 'hooks', 'pre-receive');
    writeFileSync(hook, HOOK);
    chmodSync(hook, 0o755);
  }

  git(cwd: string, ...args: string[]): string {
    return execFileSync('git', [...IDENTITY, ...args], {
      cwd,
      env: this.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  }

  /** `git ... ` in the bare repository. */
  repo(...args: string[]): string {
    return this.git(this.bare, ...args);
  }

  /** The commit a ref points to, or undefined. */
  rev(ref: string): string | undefined {
    try {
      return this.repo('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
    } catch {
      return undefined;
    }
  }

  /** Whether the token of the job now running may push (its `contents` permission). */
  setContentsPermission(level: 'none' | 'read' | 'write'): void {
    writeFileSync(join(this.bare, 'accord-test-contents-permission'), level);
  }

  /** Every push a workflow made (the host's own commits and merges are not listed). */
  pushes(): HostPush[] {
    const log = join(this.bare, 'accord-test-pushes.log');
    if (!existsSync(log)) return [];
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [ref, before, after] = line.split(' ') as [string, string, string];
        return { ref, before, after };
      });
  }

  /**
   * Commits files onto a branch (created from `from`, default main, when new) and pushes it as the
   * host's administrator. A null content deletes the file. Returns the new commit.
   */
  commit(branch: string, files: Record<string, string | null>, message: string, from = 'main'): string {
    if (!existsSync(this.admin)) this.git(this.root, 'clone', '-q', this.url, this.admin);
    const work = this.admin;
    this.git(work, 'fetch', '-q', 'origin', '+refs/heads/*:refs/remotes/origin/*');
    const exists = this.rev(`refs/heads/${branch}`) !== undefined;
    const empty = this.rev('refs/heads/main') === undefined;
    if (empty) this.git(work, 'symbolic-ref', 'HEAD', `refs/heads/${branch}`);
    else this.git(work, 'checkout', '-q', '-B', branch, `origin/${exists ? branch : from}`);
    for (const [path, content] of Object.entries(files)) {
      const file = join(work, path);
      if (content === null) rmSync(file, { force: true });
      else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
    this.git(work, 'add', '--all');
    this.git(work, 'commit', '-q', '-m', message);
    this.git(work, 'push', '-q', 'origin', `HEAD:refs/heads/${branch}`);
    return this.git(work, 'rev-parse', 'HEAD');
  }

  /** The text of a file at a ref, or undefined. */
  show(ref: string, path: string): string | undefined {
    try {
      return this.repo('show', `${ref}:${path}`);
    } catch {
      return undefined;
    }
  }

  /** Opens a pull request from `head` into `base`: GitHub's head and test-merge refs. */
  openPull(head: string, base = 'main'): HostPull {
    const pull: HostPull = {
      number: this.pulls.length + 1,
      headRef: head,
      baseRef: base,
      headSha: '',
      baseSha: '',
      mergeSha: '',
    };
    this.pulls.push(pull);
    return this.syncPull(pull.number);
  }

  /** After a push to the pull request's branch (or its base): recomputes its refs, as GitHub does. */
  syncPull(number: number): HostPull {
    const pull = this.pull(number);
    pull.headSha = this.rev(`refs/heads/${pull.headRef}`)!;
    pull.baseSha = this.rev(`refs/heads/${pull.baseRef}`)!;
    const tree = this.repo('merge-tree', '--write-tree', pull.baseSha, pull.headSha).split('\n')[0]!;
    pull.mergeSha = this.repo(
      'commit-tree',
      tree,
      '-p',
      pull.baseSha,
      '-p',
      pull.headSha,
      '-m',
      `Merge ${pull.headSha} into ${pull.baseSha}`,
    );
    this.repo('update-ref', `refs/pull/${number}/head`, pull.headSha);
    this.repo('update-ref', `refs/pull/${number}/merge`, pull.mergeSha);
    return pull;
  }

  pull(number: number): HostPull {
    const pull = this.pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`no pull request #${number}`);
    return pull;
  }

  /** Merges by fast-forwarding the base to the head (refused when the base moved on). */
  mergePull(number: number): { before: string; after: string } {
    const pull = this.syncPull(number);
    try {
      this.repo('merge-base', '--is-ancestor', pull.baseSha, pull.headSha);
    } catch {
      throw new Error(`pull request #${number} cannot be fast-forwarded onto ${pull.baseRef}`);
    }
    this.repo('update-ref', `refs/heads/${pull.baseRef}`, pull.headSha, pull.baseSha);
    pull.mergedAt = new Date().toISOString();
    pull.mergeCommitSha = pull.headSha;
    return { before: pull.baseSha, after: pull.headSha };
  }
}
