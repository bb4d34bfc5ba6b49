import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Makes a rename or a new file in `dir` durable. Without it a power cut after rename can leave the
 * old directory entry. Some platforms (Windows) cannot open a directory for syncing; there the
 * rename is as durable as the OS makes it, so those errors are ignored rather than failing a run.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Replaces a file atomically: a reader (or a crash) sees the old file or the new one, never a mix.
 * Temp file beside the target (same filesystem, so rename is atomic), fsync, rename, fsync the
 * directory so the rename itself survives a power cut. Callers that may write one path from two
 * tasks at once queue them (state/exclusive.ts): they would share the temp file.
 */
export async function replaceDurably(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(tmp, 'w', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      // The mode argument of open is filtered by the umask; the file must be readable as documented.
      await handle.chmod(0o644);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    await fsyncDir(dir);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
}

/** Appends text and fsyncs before returning, so a record the caller saw written survives a crash. */
export async function appendDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'a', 0o644);
  try {
    await handle.appendFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A write that died half-way (SIGKILL, power cut) leaves a last line without its newline. Such a
 * line was never acknowledged to anyone, so it is cut off before the next append; otherwise the
 * next record would be glued onto it and both would be lost. Returns the text that remains ('' for
 * a missing file), so a caller that needs the last line does not read the file again.
 */
export function cutTornTail(path: string): Promise<string> {
  return repairing(path, async (handle) => {
    const text = await handle.readFile('utf8');
    if (text === '' || text.endsWith('\n')) return text;
    const kept = text.slice(0, text.lastIndexOf('\n') + 1);
    await truncateDurably(handle, Buffer.byteLength(kept, 'utf8'));
    return kept;
  });
}

/** Runs `repair` on the file opened for reading and writing; a missing file reads as ''. */
async function repairing(path: string, repair: (handle: FileHandle) => Promise<string>): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
  try {
    return await repair(handle);
  } finally {
    await handle.close();
  }
}

async function truncateDurably(handle: FileHandle, length: number): Promise<void> {
  await handle.truncate(length);
  await handle.sync();
}

const NEWLINE = 0x0a;
const TAIL_CHUNK = 64 * 1024;

/**
 * `cutTornTail` for a caller that needs only the last line (the audit log's chain link): the
 * file is read from its end, a chunk at a time, never whole, so an append costs the same on a
 * log of ten lines and of a million. Returns the last complete line without its newline, or ''
 * for a missing or empty file.
 */
export function cutTornTailToLastLine(path: string): Promise<string> {
  return repairing(path, async (handle) => {
    const { size } = await handle.stat();
    let tail = Buffer.alloc(0);
    let from = size;
    while (from > 0) {
      const length = Math.min(TAIL_CHUNK, from);
      from -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, from);
      tail = Buffer.concat([chunk, tail]);
      const end = tail.lastIndexOf(NEWLINE);
      if (end === -1) continue;
      const start = end === 0 ? -1 : tail.lastIndexOf(NEWLINE, end - 1);
      if (start === -1 && from > 0) continue; // the line may begin in an earlier chunk
      const kept = from + end + 1;
      if (kept < size) await truncateDurably(handle, kept);
      return tail.subarray(start + 1, end).toString('utf8');
    }
    // Not one newline: all of it is a torn first line.
    if (size > 0) await truncateDurably(handle, 0);
    return '';
  });
}
