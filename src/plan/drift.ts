import type { Change } from '../model/change.js';
import type { Snapshots } from '../model/snapshot.js';
import type { Finding } from '../model/findings.js';
import type { Plan } from './types.js';

/**
 * Drift (UC-26, UC-08): splits what a plan would change into **drift** (live state moved away
 * from what the last applied policy wants: someone changed it outside Git) and **pending** (the
 * policy changed since the last apply and has not been applied yet), and adds licence use.
 */
export interface DriftEntry {
  change: Change;
  /** When the platform says the account last changed, where it says. */
  lastChanged?: string;
}

export interface LicenseUse {
  org: string;
  license: string;
  used: number;
  total: number;
}

export interface DriftReport {
  formatVersion: 1;
  createdAt: string;
  /** How pending was told from drift. */
  basis: 'policy-unchanged' | 'last-applied-policy' | 'never-applied' | 'unknown-last-policy';
  drift: DriftEntry[];
  pending: Change[];
  /** Active Salesforce users with no identity (licence reclamation). */
  orphans: Finding[];
  /**
   * People accord cannot finish with (a leaver with an ambiguous account, records with no
   * recipient): blocking findings, so drift is not clean while any stands.
   */
  unresolved: Finding[];
  licenses: LicenseUse[];
}

export function driftReport(
  current: Plan,
  snapshots: Snapshots,
  basis: DriftReport['basis'],
  lastApplied?: Plan,
): DriftReport {
  // A change the last applied policy would also make is drift: that policy was applied, so
  // live state must have moved. Anything else is the new policy waiting to be applied.
  const wantedBefore = new Set(lastApplied?.changes.map((c) => c.id) ?? []);
  const isDrift = (c: Change) =>
    basis === 'policy-unchanged' ? true : basis === 'last-applied-policy' ? wantedBefore.has(c.id) : false;
  const lastUpdated = new Map<string, string>();
  for (const s of [snapshots.okta, snapshots.onelogin])
    for (const a of s?.accounts ?? [])
      if (a.lastUpdated) lastUpdated.set(`${s!.platform}:${a.login.toLowerCase()}`, a.lastUpdated);
  const drift: DriftEntry[] = [];
  const pending: Change[] = [];
  for (const c of current.changes) {
    if (!isDrift(c)) {
      pending.push(c);
      continue;
    }
    const when = lastUpdated.get(`${c.platform}:${c.account.key.toLowerCase()}`);
    drift.push({ change: c, ...(when ? { lastChanged: when } : {}) });
  }
  const licenses = Object.values(snapshots.salesforce)
    .flatMap((s) => s.licenses.map((l) => ({ org: s.org, license: l.name, used: l.used, total: l.total })))
    .sort((a, b) => a.org.localeCompare(b.org) || a.license.localeCompare(b.license));
  return {
    formatVersion: 1,
    createdAt: current.createdAt,
    basis,
    drift,
    pending,
    orphans: current.findings.filter((f) => f.code === 'orphan-account'),
    unresolved: current.findings.filter((f) => f.severity === 'block' && f.person !== undefined),
    licenses,
  };
}
