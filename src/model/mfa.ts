import type { IdpId } from './snapshot.js';

/** MFA compliance (UC-17) as compile reports it (compile/mfa.ts) and renderers print it. */

/** One person without an active MFA factor in their home directory. */
export interface MfaGap {
  person: string;
  platform: IdpId;
  /** The home account's status (`active`, `provisioned`, ...). */
  status: string;
  /** When the grace started: the account's activation, else its creation (ISO); null when unknown. */
  since: string | null;
  /** Whole days since then, to today. */
  days: number | null;
  /** The shortest grace an `mfa: { enrolled: false }` condition of the policy gives. */
  graceDays: number;
  /** The first day that condition holds (YYYY-MM-DD); null when `since` is unknown. */
  graceEnds: string | null;
  /** Whether the grace is over: the policy's restrictions apply. */
  overdue: boolean;
  /** Ids of the access rules that test MFA and hold for the person now (what it grants them). */
  rules: string[];
}

/** `accord report mfa` (engine/run-mfa-report.ts, render/mfa-report.ts). */
export interface MfaReport {
  generatedAt: string;
  /** Accounts whose factors were read, by directory. */
  read: { okta?: number; onelogin?: number };
  /** The shortest grace the policy gives; null when no condition tests `enrolled: false`. */
  graceDays: number | null;
  gaps: MfaGap[];
}
