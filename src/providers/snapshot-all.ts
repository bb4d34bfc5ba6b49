import { AccordError, isAccordError } from '../errors.js';
import type {
  IdpSnapshot,
  PlatformId,
  SalesforceSnapshot,
  Snapshot,
  SnapshotScope,
  Snapshots,
} from '../model/snapshot.js';
import { fingerprint } from '../model/fingerprint.js';
import { redact } from './http/connection-error.js';
import type { Progress, Provider } from './provider.js';
import {
  cacheKey,
  readCache,
  usableBase,
  writeCache,
  type CacheFile,
  type SnapshotCacheOptions,
} from './snapshot-cache.js';

export interface SnapshotAllOptions {
  /** Build on the snapshot cache (snapshot-cache.ts) where a provider can, and refresh it. */
  cache?: SnapshotCacheOptions;
}

/** A provider that can build a snapshot on what an earlier one left (Okta, OneLogin, Salesforce). */
interface IncrementalProvider {
  cacheIdentity: string;
  snapshotIncremental(
    scope: SnapshotScope,
    progress: Progress | undefined,
    base: unknown,
  ): Promise<{ snapshot: Snapshot; mode: 'full' | 'incremental'; fallback?: string; base?: unknown }>;
}

const incremental = (provider: Provider): provider is Provider & IncrementalProvider =>
  typeof (provider as Partial<IncrementalProvider>).snapshotIncremental === 'function' &&
  typeof (provider as Partial<IncrementalProvider>).cacheIdentity === 'string';

/**
 * Reads every platform at once. All or nothing: a platform that could not be read has no snapshot,
 * and planning against a missing snapshot would look like a tenant with nobody in it, which plans
 * to remove everyone's access.
 */
export async function snapshotAll(
  providers: Provider[],
  scope: SnapshotScope,
  progress?: Progress,
  options: SnapshotAllOptions = {},
): Promise<Snapshots> {
  const { cache } = options;
  const cached = cache ? await readCache(cache.path) : {};
  const now = () => (cache?.now ?? (() => new Date()))();
  // Each snapshot is fingerprinted as soon as it is read, while slower platforms are still paging.
  const settled = await Promise.allSettled(
    providers.map(async (provider): Promise<Read> => {
      if (!cache || !incremental(provider)) {
        const snapshot = await provider.snapshot(scope, progress);
        return { snapshot, fingerprint: fingerprint(snapshot), read: { mode: 'full' } };
      }
      const key = cacheKey(scope, provider.cacheIdentity);
      const usable = usableBase(cached[provider.id], key, cache);
      const read = await provider.snapshotIncremental(
        scope,
        progress,
        'base' in usable ? usable.base : undefined,
      );
      const fallback = 'doubt' in usable ? usable.doubt : read.fallback;
      const entry =
        read.base === undefined
          ? undefined
          : {
              key,
              fullAt: read.mode === 'incremental' && 'fullAt' in usable ? usable.fullAt : now().toISOString(),
              base: read.base,
            };
      return {
        snapshot: read.snapshot,
        fingerprint: fingerprint(read.snapshot),
        read: { mode: read.mode, ...(fallback !== undefined ? { fallback } : {}) },
        ...(entry ? { entry } : {}),
      };
    }),
  );

  const failures = settled.flatMap((result, i) =>
    result.status === 'rejected' ? [{ platform: providers[i]!.id, error: result.reason as unknown }] : [],
  );
  if (failures.length > 0) {
    // A user-facing error explains itself; prefer it over an unexpected one from another platform.
    const explained = failures.find((f) => isAccordError(f.error));
    if (explained) throw explained.error;
    const { platform, error } = failures[0]!;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AccordError(`${platform}: snapshot failed: ${redact(firstLine(reason), [])}`, {
      code: 'snapshot.failed',
      hint: 'nothing was planned or changed; fix the problem and run again',
    });
  }

  const snapshots: Snapshots = { salesforce: {}, fingerprints: {} };
  settled.forEach((result, i) => {
    const provider = providers[i]!;
    const { snapshot, fingerprint } = (result as PromiseFulfilledResult<Read>).value;
    if (snapshot.platform !== provider.id) {
      throw new AccordError(`${provider.id}: provider returned a snapshot for ${snapshot.platform}`, {
        code: 'snapshot.mismatch',
      });
    }
    if (isSalesforce(snapshot)) {
      if (snapshots.salesforce[snapshot.org]) throw duplicate(snapshot.platform);
      snapshots.salesforce[snapshot.org] = snapshot;
    } else {
      if (snapshots[snapshot.platform]) throw duplicate(snapshot.platform);
      snapshots[snapshot.platform] = snapshot as IdpSnapshot;
    }
    snapshots.fingerprints![snapshot.platform] = fingerprint;
  });
  if (cache) {
    const reads: NonNullable<Snapshots['reads']> = {};
    const platforms: CacheFile['platforms'] = {};
    for (const result of settled) {
      const { snapshot, read, entry } = (result as PromiseFulfilledResult<Read>).value;
      reads[snapshot.platform] = read;
      if (entry) platforms[snapshot.platform] = entry;
    }
    snapshots.reads = reads;
    // Only after every platform was read: a failed run leaves the previous cache, which is still
    // safe to build on (its cursors are older, so the next delta only reads more).
    await writeCache(cache.path, platforms, now()).catch(() => undefined);
  }
  return snapshots;
}

interface Read {
  snapshot: Snapshot;
  fingerprint: string;
  read: { mode: 'full' | 'incremental'; fallback?: string };
  entry?: CacheFile['platforms'][PlatformId];
}

const isSalesforce = (snapshot: Snapshot): snapshot is SalesforceSnapshot =>
  snapshot.platform.startsWith('salesforce:');

const duplicate = (platform: string) =>
  new AccordError(`${platform}: two providers read the same platform`, { code: 'snapshot.duplicate' });

const firstLine = (text: string): string => (text.split(/\r?\n/, 1)[0] ?? '').trim().slice(0, 200);
