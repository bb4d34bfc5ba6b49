import type { PlatformId, Snapshots } from '../model/snapshot.js';
import { sha256 } from '../policy/policy.js';

/**
 * sha256 of each snapshot's content (not of when it was read), so apply can tell when the world
 * moved. Providers build snapshots in a fixed order, so plain JSON is stable; sorting keys of a
 * 100k-user snapshot would cost seconds for nothing.
 */
export function fingerprints(snapshots: Snapshots): Partial<Record<PlatformId, string>> {
  const out: Partial<Record<PlatformId, string>> = {};
  for (const s of [snapshots.okta, snapshots.onelogin, ...Object.values(snapshots.salesforce)]) {
    if (!s) continue;
    out[s.platform] = sha256(
      JSON.stringify(s, (key, value: unknown) => (key === 'fetchedAt' ? undefined : value)),
    );
  }
  return out;
}
