/**
 * What the first-run benchmarks share (bench:first-run, bench:apply): the company size from the
 * command line, a sandbox whose Salesforce orgs look as before accord's first apply, and that
 * sandbox in a child process, so the RSS a benchmark prints is accord's own.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Sandbox } from '@accord/sandbox';

export const SEED = 42;

/** The first whole number on the command line, else ACCORD_BENCH_PEOPLE, else `fallback`. */
export function peopleFromArgs(fallback: number): number {
  const raw = process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? process.env.ACCORD_BENCH_PEOPLE;
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`people must be a positive integer, not ${raw}`);
  return n;
}

/**
 * A loopback sandbox whose Salesforce orgs hold no person's user yet: every user but the orgs'
 * own (integration users and the like) is removed with what points at it (logins, permission set
 * assignments, owned records). Returns the sandbox and how many users were removed.
 */
export async function firstRunSandbox(people: number): Promise<{ sandbox: Sandbox; removed: number }> {
  const { startSandbox } = await import('@accord/sandbox');
  const sandbox = await startSandbox({ transport: 'loopback', port: 0, people, seed: SEED });
  let removed = 0;
  for (const [org, store] of Object.entries(sandbox.stores.salesforce)) {
    const local = new Set(
      (sandbox.company.salesforce[org]?.localUsers ?? []).map((u) => u.username.toLowerCase()),
    );
    const gone = new Set<string>();
    for (const row of [...store.rows('User')])
      if (!local.has(String(row.Username).toLowerCase())) gone.add(String(row.Id));
    const pointsAtGone = (row: Record<string, unknown>) =>
      gone.has(String(row.UserId)) || gone.has(String(row.AssigneeId)) || gone.has(String(row.OwnerId));
    for (const object of store.objectNames()) {
      if (object === 'User') continue;
      for (const row of [...store.rows(object)])
        if (pointsAtGone(row)) store.write(object, String(row.Id), undefined);
    }
    for (const id of gone) store.write('User', id, undefined);
    removed += gone.size;
  }
  return { sandbox, removed };
}

/**
 * Runs `entry` (a benchmark file) again as a child with `--serve PEOPLE`, and resolves with the
 * child and the first message it sends (the sandbox's env and whatever else the benchmark needs).
 */
export function forkSandbox<T>(entry: string, people: number): Promise<{ child: ChildProcess } & T> {
  const runner = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));
  const child = fork(runner, [entry, '--serve', String(people)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ...(m as T) }));
    child.once('exit', (code) => reject(new Error(`the sandbox process exited (${code}) before it served`)));
  });
}
