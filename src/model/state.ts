import type { PlatformId } from './snapshot.js';

/**
 * What accord remembers between runs (state/<env>.state.json): identity links it has established,
 * what it created or claims, and fingerprints of the last apply. Compile reads it; apply writes it.
 * The file format and its I/O belong to state/; this is only the shape.
 */
export interface State {
  formatVersion: 1;
  lineage: string;
  serial: number;
  /** Person (source login) → account key per platform, as linked by earlier applies. */
  links: Record<string, Partial<Record<PlatformId, string>>>;
  /** Addresses of objects accord created or claims (groups, accounts). */
  owned: string[];
  /** Per platform, the fingerprint of the snapshot the last applied plan was made from. */
  fingerprints: Partial<Record<PlatformId, string>>;
  /** The digest of the policy applied last, the commit it came from (absent outside git), and when. */
  lastApply?: { policyDigest: string; gitCommit?: string; at: string };
  /**
   * The audit log's last entry when this state was written: its seq and hash, so a log cut back
   * or rewritten is caught by `audit verify`. `mac` (with ACCORD_AUDIT_KEY) keys the pair to this
   * state's lineage and serial, so it cannot be copied from an earlier line.
   */
  audit?: { seq: number; head: string; mac?: string };
}

export const emptyState = (): State => ({
  formatVersion: 1,
  lineage: '00000000-0000-0000-0000-000000000000',
  serial: 0,
  links: {},
  owned: [],
  fingerprints: {},
});
