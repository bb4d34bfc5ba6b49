import { createHash } from 'node:crypto';
import type { PlatformId, Snapshot, Snapshots } from './snapshot.js';

/**
 * Records per hashed piece: each update into the hash has a fixed cost that, one record at a
 * time, was a third of the work, while a piece of this size is still only a few hundred kilobytes.
 */
const CHUNK = 256;

/**
 * sha256 of a snapshot's content (not of when it was read), so apply can tell when the world
 * moved. Records are hashed a chunk at a time: a 100k-user snapshot spelled out as one JSON string
 * would cost hundreds of megabytes for a 64-character answer. Providers build snapshots in a
 * fixed order, so the hash is stable.
 */
export function fingerprint(snapshot: Snapshot): string {
  const hash = createHash('sha256');
  for (const [key, value] of Object.entries(snapshot)) {
    if (key === 'fetchedAt') continue;
    hash.update(`${key}:`);
    if (!Array.isArray(value)) hash.update(`${JSON.stringify(value)}\n`);
    else
      for (let i = 0; i < value.length; i += CHUNK)
        hash.update(`${JSON.stringify(value.slice(i, i + CHUNK))}\n`);
  }
  return hash.digest('hex');
}

/**
 * The fingerprint of every snapshot: the ones the snapshot stage took as each read completed
 * (`snapshots.fingerprints`), the others worked out now.
 */
export function fingerprints(snapshots: Snapshots): Partial<Record<PlatformId, string>> {
  const out: Partial<Record<PlatformId, string>> = {};
  for (const s of [snapshots.okta, snapshots.onelogin, ...Object.values(snapshots.salesforce)])
    if (s) out[s.platform] = snapshots.fingerprints?.[s.platform] ?? fingerprint(s);
  return out;
}
