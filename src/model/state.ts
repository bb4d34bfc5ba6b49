import type { PlatformId } from './snapshot.js';

// The source of schemas/state.schema.json (`npm run schemas`), which readState checks files against.
/**
 * What accord remembers between runs (state/<env>.state.json): identity links it has established,
 * what it created or claims, and fingerprints of the last apply. Compile reads it; apply writes it.
 * The file format and its I/O belong to state/; this is only the shape.
 */
export interface State {
  formatVersion: 1;
  /**
   * A UUID chosen by the first apply (all zeros before it) and kept afterwards.
   * @pattern ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$
   */
  lineage: string;
  /**
   * Goes up by one on every write.
   * @minimum 0
   * @TJS-type integer
   */
  serial: number;
  // An index signature, the same type as Record<string, …>, which the schema generator turns into
  // an object that allows no key at all.
  /** Person (source login) → account key per platform, as linked by earlier applies. */
  links: { [person: string]: Partial<Record<PlatformId, string>> };
  /**
   * Addresses of objects accord created or claims (groups, accounts).
   * @uniqueItems true
   * @items.type string
   * @items.minLength 1
   */
  owned: string[];
  /**
   * Person → digest of what the directories said about them (status, attributes, groups, roles,
   * apps) when the last full apply left them with nothing to do. Drift compares: a change for a
   * person whose facts moved since is lifecycle, not an edit made outside Git. Absent before the
   * first apply that records it.
   */
  sourceFacts?: { [person: string]: string };
  /** Per platform, the fingerprint of the snapshot the last applied plan was made from. */
  fingerprints: Partial<Record<PlatformId, string>>;
  /** The digest of the policy applied last, the commit it came from (absent outside git), and when. */
  lastApply?: {
    /** @minLength 1 */
    policyDigest: string;
    /** @minLength 1 */
    gitCommit?: string;
    /** @format date-time */
    at: string;
  };
  /**
   * The audit log's last entry when this state was written: its seq and hash, so a log cut back
   * or rewritten is caught by `audit verify`. `mac` (with ACCORD_AUDIT_KEY) keys the pair to this
   * state's lineage and serial, so it cannot be copied from an earlier line.
   */
  audit?: {
    /**
     * @minimum 1
     * @TJS-type integer
     */
    seq: number;
    /** @pattern ^[0-9a-f]{64}$ */
    head: string;
    /** @pattern ^[0-9a-f]{64}$ */
    mac?: string;
  };
}

export const emptyState = (): State => ({
  formatVersion: 1,
  lineage: '00000000-0000-0000-0000-000000000000',
  serial: 0,
  links: {},
  owned: [],
  fingerprints: {},
});
