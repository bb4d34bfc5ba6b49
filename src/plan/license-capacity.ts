import type { Change } from '../model/change.js';
import type { Finding } from '../model/findings.js';
import type { SalesforceSnapshot, Snapshots } from '../model/snapshot.js';
import { isRecord } from '../model/json.js';

/**
 * Licence capacity per UserLicense (issue 14, item 5): users created, reactivated or moved to a
 * profile of another licence each take a seat, and Salesforce refuses the write past the last one
 * (LICENSE_LIMIT_EXCEEDED), so a plan that would run out is blocked when it is made, with the
 * numbers. Seats that deactivations free are not counted: the plan creates and reactivates users
 * before it deactivates leavers, so the peak is what is used now plus what is taken.
 */
export function licenseCapacity(
  changes: readonly Change[],
  snapshots: Pick<Snapshots, 'salesforce'>,
): { findings: Finding[]; reasons: string[] } {
  const findings: Finding[] = [];
  for (const snapshot of Object.values(snapshots.salesforce)) {
    const taken = seatsTaken(changes, snapshot);
    for (const license of snapshot.licenses) {
      const more = taken.get(license.name) ?? 0;
      if (more === 0 || license.used + more <= license.total) continue;
      const over = license.used + more - license.total;
      findings.push({
        code: 'license-capacity',
        severity: 'block',
        platform: snapshot.platform,
        message: `${snapshot.org}: the plan needs ${more} more "${license.name}" licence${more === 1 ? '' : 's'}; ${license.used} of ${license.total} are used, so ${over} ${over === 1 ? 'is' : 'are'} missing`,
      });
    }
  }
  return { findings, reasons: findings.map((f) => f.message) };
}

/** Seats the plan's changes take in one org, by licence name. */
function seatsTaken(changes: readonly Change[], snapshot: SalesforceSnapshot): Map<string, number> {
  const licenseOfProfile = new Map(snapshot.profiles.map((p) => [p.name, p.license]));
  const users = new Map(snapshot.users.map((u) => [u.username, u]));
  const taken = new Map<string, number>();
  const take = (license: string | undefined) => {
    if (license) taken.set(license, (taken.get(license) ?? 0) + 1);
  };
  for (const c of changes) {
    if (c.platform !== snapshot.platform || c.kind !== 'account') continue;
    const after = isRecord(c.after) ? c.after : {};
    const profile = typeof after.Profile === 'string' ? after.Profile : undefined;
    const live = users.get(c.account.key);
    if (c.action === 'create') take(profile && licenseOfProfile.get(profile));
    else if (c.action === 'activate') take(live?.license);
    else if (c.action === 'update' && profile && live?.isActive) {
      // An active user moving to a profile of another licence takes a seat of that one.
      const next = licenseOfProfile.get(profile);
      if (next !== live.license) take(next);
    }
  }
  return taken;
}
