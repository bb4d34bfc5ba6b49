import type { AccessDiff } from './access-impact.js';
import type { PolicyDiff } from './semantic-diff.js';

export const POLICY_DIFF_FORMAT_VERSION = 1;

export interface RefSide {
  ref: string;
  commit: string;
  digest: string;
  files: string[];
}

/** `accord diff`'s result: a plain, JSON-serialisable value. */
export interface RefDiff {
  formatVersion: typeof POLICY_DIFF_FORMAT_VERSION;
  base: RefSide;
  head: RefSide;
  policy: PolicyDiff;
  /** Absent with `--no-impact` (no platform was read). */
  impact?: AccessDiff;
}
