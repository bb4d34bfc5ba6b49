import { resolve } from 'node:path';

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `task` after every earlier task for the same file in this process has settled. apply runs
 * platforms concurrently and records each batch as it finishes, so two batches can write the
 * state file or the audit log at the same moment; the state lock only keeps other processes out.
 */
export async function exclusive<T>(file: string, task: () => Promise<T>): Promise<T> {
  const key = resolve(file);
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(task);
  queues.set(key, next);
  try {
    return await next;
  } finally {
    if (queues.get(key) === next) queues.delete(key);
  }
}
