import type { PlatformId, Snapshots } from '../model/snapshot.js';
import { canonicalJson, sha256 } from '../policy/policy.js';

/** sha256 of each snapshot's content (not of when it was read), so apply can tell when the world moved. */
export function fingerprints(snapshots: Snapshots): Partial<Record<PlatformId, string>> {
  const out: Partial<Record<PlatformId, string>> = {};
  const all = [snapshots.okta, snapshots.onelogin, ...Object.values(snapshots.salesforce)];
  for (const s of all) {
    if (!s) continue;
    const { fetchedAt: _ignored, ...content } = s;
    out[s.platform] = sha256(canonicalJson(content));
  }
  return out;
}
