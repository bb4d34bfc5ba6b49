import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';

/** Who is running accord: the GitHub user who triggered the workflow, else the local OS user. */
export function currentActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_ACTOR) return env.GITHUB_ACTOR;
  try {
    return userInfo().username;
  } catch {
    // userInfo() throws for a uid without a passwd entry (common in containers).
    return env.USER || env.USERNAME || 'unknown';
  }
}

/** The commit the run's policy came from; null outside a git repository or without git. */
export function currentGitCommit(cwd: string = process.cwd()): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['rev-parse', '--verify', '--quiet', 'HEAD'],
      { cwd, timeout: 10_000 },
      (error, stdout) => {
        const commit = stdout?.trim();
        resolve(!error && commit && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null);
      },
    );
  });
}
