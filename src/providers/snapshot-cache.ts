import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { digestOf } from '../model/canonical-json.js';
import { jsonChunks } from '../model/json-chunks.js';
import type { PlatformId, SnapshotScope } from '../model/snapshot.js';

/**
 * The snapshot cache: what the last successful snapshot left for the next one to build on, so a
 * plan or drift run on an unchanged estate reads only what moved (providers/okta/incremental.ts).
 *
 * One JSON file per environment beside its state file: `state/<env>.snapshot-cache.json` for
 * `state/<env>.state.json` (`snapshotCachePath`). It holds only what the snapshots themselves
 * hold (people's profiles and statuses, member ids, the platforms' own change times), never a
 * token or a secret, and it is a local artefact: not for Git.
 *
 * Each platform's entry is keyed by a hash of the snapshot scope and of the tenant it was read
 * from (the Okta org URL), and the file carries the sha256 of its `platforms` text. Any doubt reads
 * everything: no file, a file that does not parse or whose digest does not match, another scope or
 * tenant, a last full read older than `settings.fullResyncHours` (default 24), `--refresh=full`;
 * the providers add their own doubts (a missing field, a count that does not add up).
 */

export const CACHE_FORMAT = 'accord-snapshot-cache';
export const CACHE_VERSION = 1;
export const DEFAULT_FULL_RESYNC_HOURS = 24;

/** `auto`: build on the cache where it can be trusted; `full`: read everything (and refresh the cache). */
export type RefreshMode = 'auto' | 'full';

export interface SnapshotCacheOptions {
  path: string;
  refresh?: RefreshMode;
  /** Hours after which a full read is due whatever the cache says (`settings.fullResyncHours`). */
  fullResyncHours?: number;
  /** The clock for the age of the last full read (the platforms' cursors never use it). */
  now?: () => Date;
}

/** One platform's entry: what its provider left, and when that chain of reads started full. */
export interface CacheEntry {
  key: string;
  /** When the last full read of this platform finished (local clock): the age limit's start. */
  fullAt: string;
  base: unknown;
}

export interface CacheFile {
  format: typeof CACHE_FORMAT;
  version: typeof CACHE_VERSION;
  writtenAt: string;
  /** sha256 of `JSON.stringify(platforms)`. */
  digest: string;
  platforms: Partial<Record<PlatformId, CacheEntry>>;
}

/** The cache file for a state file: `x.state.json` → `x.snapshot-cache.json`. */
export function snapshotCachePath(statePath: string): string {
  const suffix = '.state.json';
  return statePath.endsWith(suffix)
    ? `${statePath.slice(0, -suffix.length)}.snapshot-cache.json`
    : `${statePath}.snapshot-cache.json`;
}

/** The key an entry must carry to be used for this scope on this tenant. */
export const cacheKey = (scope: SnapshotScope, identity: string): string =>
  digestOf({ version: CACHE_VERSION, scope, identity });

/** The cache's entries, or none when the file is absent, unreadable or tampered with. */
export async function readCache(path: string): Promise<CacheFile['platforms']> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const file = JSON.parse(text) as Partial<CacheFile>;
    if (file.format !== CACHE_FORMAT || file.version !== CACHE_VERSION) return {};
    if (typeof file.platforms !== 'object' || file.platforms === null) return {};
    if (file.digest !== digestOfPlatforms(file.platforms)) return {};
    return file.platforms;
  } catch {
    return {};
  }
}

/** sha256 of `JSON.stringify(platforms)`, fed a chunk at a time. */
function digestOfPlatforms(platforms: CacheFile['platforms']): string {
  const hash = createHash('sha256');
  for (const chunk of jsonChunks(platforms)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * The base a platform's read may build on, or why not. `entry` is the cache's entry for it.
 */
export function usableBase(
  entry: CacheEntry | undefined,
  key: string,
  options: SnapshotCacheOptions,
): { base: unknown; fullAt: string } | { doubt: string } {
  if (options.refresh === 'full') return { doubt: '--refresh=full' };
  if (!entry) return { doubt: 'no snapshot cache' };
  if (entry.key !== key) return { doubt: 'the cache is for another scope or tenant' };
  const fullAt = Date.parse(entry.fullAt);
  const hours = options.fullResyncHours ?? DEFAULT_FULL_RESYNC_HOURS;
  const now = (options.now ?? (() => new Date()))().getTime();
  if (Number.isNaN(fullAt) || fullAt > now)
    return { doubt: 'the cache has no valid time of its last full read' };
  if (now - fullAt > hours * 3_600_000) return { doubt: `the last full read is over ${hours} h old` };
  return { base: entry.base, fullAt: entry.fullAt };
}

/**
 * Writes the cache atomically (a temporary file, then a rename), so a reader never sees half of
 * one. A cache that could not be written is removed rather than left behind: an older cache is
 * still safe to build on (its cursors only read more), but a partly written one is not.
 */
export async function writeCache(path: string, platforms: CacheFile['platforms'], now: Date): Promise<void> {
  const temporary = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    // `platforms` first and the keys that describe it after, so its digest is known by the time
    // it is written: the text is written and hashed a chunk at a time, never held as one string
    // (about 100 MB at 100k people). Readers parse the object, whatever its key order.
    const file = await open(temporary, 'w', 0o600);
    try {
      const digest = createHash('sha256');
      await file.write('{"platforms":');
      for (const chunk of jsonChunks(platforms)) {
        digest.update(chunk);
        await file.write(chunk);
      }
      const tail = JSON.stringify({
        format: CACHE_FORMAT,
        version: CACHE_VERSION,
        writtenAt: now.toISOString(),
        digest: digest.digest('hex'),
      });
      await file.write(`,${tail.slice(1)}\n`);
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}
