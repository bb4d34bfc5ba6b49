import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { AccordError } from '../errors.js';
import { currentActor } from './actor.js';
import { fsyncDir } from './fsync.js';

export interface LockInfo {
  holder: string;
  pid: number;
  host: string;
  createdAt: string;
  operation: string;
}

export interface Lock {
  info: LockInfo;
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export const lockPath = (statePath: string) => `${statePath}.lock`;

export const describeLock = (info: LockInfo) =>
  `${info.holder} (pid ${info.pid} on ${info.host}, ${info.operation} since ${info.createdAt})`;

/**
 * Takes the state lock. Creation with O_EXCL is the whole protocol: the filesystem guarantees
 * exactly one creator, so two applies racing on one machine or one shared checkout cannot both
 * win. A lock is never broken automatically, even if its pid looks dead: pids are reused and the
 * holder may be on another host, so only a person (`accord force-unlock`) decides it is gone.
 */
export interface LockWait {
  /** How long to wait for a held lock before giving up (Terraform's -lock-timeout); 0 refuses at once. */
  timeoutMs?: number;
  /** Told once, with the holder, when the lock is held and apply starts waiting. */
  onWait?: (holder: LockInfo | undefined) => void;
  /** @default 1000 */
  pollMs?: number;
}

export async function acquireLock(
  statePath: string,
  operation: string,
  env: NodeJS.ProcessEnv = process.env,
  wait: LockWait = {},
): Promise<Lock> {
  const deadline = Date.now() + (wait.timeoutMs ?? 0);
  for (let waited = false; ; waited = true) {
    const lock = await tryLock(statePath, operation, env);
    if (lock) return lock;
    const held = await readHolder(statePath);
    const left = deadline - Date.now();
    if (left <= 0)
      throw new AccordError(
        `state is locked by ${held ? describeLock(held) : 'another run that just finished'}${waited ? ` (waited ${Math.round((wait.timeoutMs ?? 0) / 1000)} s)` : ''}`,
        {
          code: 'state.locked',
          hint: 'wait for that run to finish, or run `accord force-unlock` if it is gone',
          exitCode: 1,
        },
      );
    if (!waited) wait.onWait?.(held);
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait.pollMs ?? 1000, left)));
  }
}

/** One attempt: the lock, or undefined when another run holds it. */
async function tryLock(
  statePath: string,
  operation: string,
  env: NodeJS.ProcessEnv,
): Promise<Lock | undefined> {
  const path = lockPath(statePath);
  const info: LockInfo = {
    holder: currentActor(env),
    pid: process.pid,
    host: hostname(),
    createdAt: new Date().toISOString(),
    operation,
  };
  await mkdir(dirname(path), { recursive: true });
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return undefined;
  }
  const text = `${JSON.stringify(info, null, 2)}\n`;
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsyncDir(dirname(path));
  let released = false;
  return {
    info,
    async release() {
      if (released) return;
      released = true;
      // After a force-unlock another run may hold a new lock here; removing it would let a third
      // run in beside that one.
      const current = await readFile(path, 'utf8').catch(() => undefined);
      if (current === text) await unlink(path).catch(() => {});
    },
  };
}

/** The winner of a race writes its info just after creating the file; give it a moment to land. */
async function readHolder(statePath: string): Promise<LockInfo | undefined> {
  for (let attempt = 0; ; attempt++) {
    const held = await readLock(statePath);
    if (!held || held.pid !== 0 || attempt >= 5) return held;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The current lock, or undefined when the state is not locked. */
export async function readLock(statePath: string): Promise<LockInfo | undefined> {
  const path = lockPath(statePath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = parseLock(text);
  if (parsed) return parsed;
  // A run killed between creating and writing the file leaves it empty; it still locks the state,
  // so it is reported rather than treated as "no lock".
  const created = await stat(path).then(
    (s) => s.mtime.toISOString(),
    () => 'an unknown time',
  );
  return {
    holder: 'unknown (unreadable lock file)',
    pid: 0,
    host: 'unknown',
    createdAt: created,
    operation: 'unknown',
  };
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockInfo>;
    if (
      typeof value.holder === 'string' &&
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.createdAt === 'string' &&
      typeof value.operation === 'string'
    )
      return {
        holder: value.holder,
        pid: value.pid,
        host: value.host,
        createdAt: value.createdAt,
        operation: value.operation,
      };
  } catch {
    // fall through: unreadable
  }
  return undefined;
}

/** Removes the lock whoever holds it; returns who held it, or undefined if there was none. */
export async function forceUnlock(statePath: string): Promise<LockInfo | undefined> {
  const info = await readLock(statePath);
  if (!info) return undefined;
  try {
    await unlink(lockPath(statePath));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return info;
}
