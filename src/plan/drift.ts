import type { Change } from '../model/change.js';
import type { Snapshots } from '../model/snapshot.js';
import type { Finding } from '../model/findings.js';
import type { Plan } from './types.js';
import { isRecord } from '../model/json.js';

/**
 * Drift (UC-26, UC-08): splits what a plan would change into three kinds, kept apart everywhere:
 * - **drift**: live state moved away from what the last applied policy wants while the people's
 *   source facts did not: someone changed a platform outside Git;
 * - **lifecycle**: the last applied policy wants it because the directories moved (a joiner, a
 *   leaver, a new title or group, an exception that expired since the last apply);
 * - **pending**: the policy changed since the last apply and has not been applied yet.
 * Licence use, orphans and unresolved people are added.
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
  lifecycle: DriftEntry[];
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

/** What tells lifecycle from drift: the people's facts now and at the last apply. */
export interface FactsHistory {
  current: Readonly<Record<string, string>>;
  /** State's `sourceFacts`; absent in states written before accord recorded them. */
  recorded?: Readonly<Record<string, string>>;
  /** When the last apply ran (ISO), and the policy's exceptions: those that expired since are lifecycle. */
  lastApplyAt?: string;
  exceptions: readonly { person: string; expires: string }[];
}

export function driftReport(
  current: Plan,
  snapshots: Snapshots,
  basis: DriftReport['basis'],
  lastApplied?: Plan,
  facts?: FactsHistory,
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
  const lifecycle: DriftEntry[] = [];
  const pending: Change[] = [];
  const followsFromFacts = factsMoved(facts, current.createdAt);
  for (const c of current.changes) {
    if (!isDrift(c)) {
      pending.push(c);
      continue;
    }
    const when = lastUpdated.get(`${c.platform}:${c.account.key.toLowerCase()}`);
    (followsFromFacts(c) ? lifecycle : drift).push({ change: c, ...(when ? { lastChanged: when } : {}) });
  }
  const licenses = Object.values(snapshots.salesforce)
    .flatMap((s) => s.licenses.map((l) => ({ org: s.org, license: l.name, used: l.used, total: l.total })))
    .sort((a, b) => a.org.localeCompare(b.org) || a.license.localeCompare(b.license));
  return {
    formatVersion: 1,
    createdAt: current.createdAt,
    basis,
    drift,
    lifecycle,
    pending,
    orphans: current.findings.filter((f) => f.code === 'orphan-account'),
    unresolved: current.findings.filter((f) => f.severity === 'block' && f.person !== undefined),
    licenses,
  };
}

/**
 * Does a change follow from the directories rather than from an edit outside Git? Yes when its
 * person's facts differ from those recorded at the last apply (or none were: a joiner), or when
 * one of their exceptions expired since. Without recorded facts nothing can be told apart, and
 * every difference stays drift, as before accord recorded them.
 */
function factsMoved(facts: FactsHistory | undefined, now: string): (c: Change) => boolean {
  if (!facts?.recorded) return () => false;
  const { current, recorded } = facts;
  const since = facts.lastApplyAt?.slice(0, 10) ?? '';
  const today = now.slice(0, 10);
  const expired = new Set(
    facts.exceptions
      .filter((e) => e.expires >= since && e.expires < today)
      .map((e) => e.person.toLowerCase()),
  );
  const moved = (person: string) => recorded[person] === undefined || recorded[person] !== current[person];
  // People whose facts moved, by lower-cased key: a change that names one in a value (a report's
  // Manager when their manager leaves) follows from the directories too, not from an edit.
  const movedKeys = new Set<string>();
  for (const person of Object.keys(current)) if (moved(person)) movedKeys.add(person.toLowerCase());
  for (const person of Object.keys(recorded)) if (!(person in current)) movedKeys.add(person.toLowerCase());
  const namesMoved = (values: unknown) =>
    isRecord(values) &&
    Object.values(values).some((v) => typeof v === 'string' && movedKeys.has(v.toLowerCase()));
  return (c) => {
    // Time moves too: an account idle past the limit is lifecycle, however still its facts are.
    if (c.reason.rule === 'lifecycle.inactivity') return true;
    if (namesMoved(c.before) || namesMoved(c.after)) return true;
    if (!c.person) return false;
    if (expired.has(c.person.toLowerCase())) return true;
    return moved(c.person);
  };
}
