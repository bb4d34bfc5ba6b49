import type { IdentityLink } from '../policy/types.js';
import type { PlatformId } from './snapshot.js';

/** An identity that could not be resolved without guessing (UC-13). Its person's changes are held back. */
export interface Conflict {
  /** The person, by source login. */
  person: string;
  platform: PlatformId;
  /**
   * `ambiguous`: several accounts match; `contested`: one account matches several people;
   * `disagreement`: match keys point at different accounts (candidates in key order);
   * `priority`: rules of equal priority disagree.
   */
  kind: 'ambiguous' | 'contested' | 'disagreement' | 'priority';
  /** Which match key (or field) produced it. */
  key: string;
  /** Candidate accounts or values. */
  candidates: string[];
  message: string;
  /** The `links` entry that would resolve it (for `priority`: absent; fix the rules). */
  resolution?: IdentityLink;
}

export type FindingSeverity = 'block' | 'warn' | 'info';

/** Something a reviewer must see: guard rails, sensitive grants, unknown names, orphans. */
export interface Finding {
  code:
    | 'protected-account'
    | 'deprovision-cap'
    | 'separation-of-duties'
    | 'sensitive'
    | 'unknown-entitlement'
    | 'missing-group'
    | 'missing-app'
    | 'orphan-account'
    | 'license-capacity'
    | 'no-profile'
    | 'no-recipient'
    | 'missing-recipient'
    | 'unresolved-leaver'
    | 'not-restored'
    | 'unknown-person'
    | 'inactive-user'
    | 'no-mfa'
    | 'missing-account';
  severity: FindingSeverity;
  message: string;
  platform?: PlatformId;
  person?: string;
  address?: string;
  rule?: string;
}
