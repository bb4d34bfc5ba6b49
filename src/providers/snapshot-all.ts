import { AccordError, isAccordError } from '../errors.js';
import type {
  IdpSnapshot,
  SalesforceSnapshot,
  Snapshot,
  SnapshotScope,
  Snapshots,
} from '../model/snapshot.js';
import { fingerprint } from '../model/fingerprint.js';
import { redact } from './http/connection-error.js';
import type { Progress, Provider } from './provider.js';

/**
 * Reads every platform at once. All or nothing: a platform that could not be read has no snapshot,
 * and planning against a missing snapshot would look like a tenant with nobody in it, which plans
 * to remove everyone's access.
 */
export async function snapshotAll(
  providers: Provider[],
  scope: SnapshotScope,
  progress?: Progress,
): Promise<Snapshots> {
  // Each snapshot is fingerprinted as soon as it is read, while slower platforms are still paging.
  const settled = await Promise.allSettled(
    providers.map((provider) =>
      provider
        .snapshot(scope, progress)
        .then((snapshot) => ({ snapshot, fingerprint: fingerprint(snapshot) })),
    ),
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
  return snapshots;
}

interface Read {
  snapshot: Snapshot;
  fingerprint: string;
}

const isSalesforce = (snapshot: Snapshot): snapshot is SalesforceSnapshot =>
  snapshot.platform.startsWith('salesforce:');

const duplicate = (platform: string) =>
  new AccordError(`${platform}: two providers read the same platform`, { code: 'snapshot.duplicate' });

const firstLine = (text: string): string => (text.split(/\r?\n/, 1)[0] ?? '').trim().slice(0, 200);
