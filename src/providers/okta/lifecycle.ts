import type { ChangeAction } from '../../model/change.js';
import { isRecord } from '../../model/json.js';

/**
 * Which Okta lifecycle call carries out an account status change, given the user's current
 * status. Okta allows each operation only from certain statuses, so "activate" means unsuspend,
 * activate, reactivate or unlock depending on where the user is.
 */

export type LifecycleOperation =
  'suspend' | 'unsuspend' | 'activate' | 'reactivate' | 'unlock' | 'deactivate';

export type LifecycleStep =
  | {
      kind: 'call';
      operation: LifecycleOperation;
      /**
       * Statuses that show the call took effect: checked before a retry, so a call whose answer was
       * lost is not sent twice. Absent when the outcome can't be told from the status.
       */
      landed?: string[];
    }
  | { kind: 'noop'; message: string }
  | { kind: 'refuse'; message: string };

const OKTA_STATUSES = new Set([
  'STAGED',
  'PROVISIONED',
  'ACTIVE',
  'RECOVERY',
  'LOCKED_OUT',
  'PASSWORD_EXPIRED',
  'SUSPENDED',
  'DEPROVISIONED',
]);

/** Neutral statuses that name exactly one Okta status ('staged' and 'active' cover several). */
const UNAMBIGUOUS: Record<string, string> = {
  provisioned: 'PROVISIONED',
  suspended: 'SUSPENDED',
  deprovisioned: 'DEPROVISIONED',
  locked: 'LOCKED_OUT',
};

/**
 * The Okta status recorded in a change's `before`: `rawStatus`, or `status` when it is an Okta
 * status or a neutral one that maps to a single Okta status. Undefined when it can't be told.
 */
export function rawStatusOf(before: unknown): string | undefined {
  const record = isRecord(before) ? before : { status: before };
  const raw = typeof record.rawStatus === 'string' ? record.rawStatus.toUpperCase() : undefined;
  if (raw !== undefined && OKTA_STATUSES.has(raw)) return raw;
  const status = record.status;
  if (typeof status !== 'string') return undefined;
  // Okta's statuses are upper case, the neutral ones lower case: 'staged' is not a claim of STAGED.
  if (OKTA_STATUSES.has(status)) return status;
  return UNAMBIGUOUS[status];
}

/**
 * `status` may be unknown for suspend and deactivate: Okta itself refuses a transition the status
 * doesn't allow, so only "activate", which has four meanings, needs it.
 */
export function lifecycleFor(action: ChangeAction, status: string | undefined): LifecycleStep {
  switch (action) {
    case 'suspend':
      if (status === 'SUSPENDED') return { kind: 'noop', message: 'already suspended' };
      return { kind: 'call', operation: 'suspend', landed: ['SUSPENDED'] };
    case 'deactivate':
      if (status === 'DEPROVISIONED') return { kind: 'noop', message: 'already deactivated' };
      return { kind: 'call', operation: 'deactivate', landed: ['DEPROVISIONED'] };
    case 'activate':
      switch (status) {
        case 'ACTIVE':
        case 'PASSWORD_EXPIRED':
          return { kind: 'noop', message: 'already active' };
        case 'SUSPENDED':
          return { kind: 'call', operation: 'unsuspend', landed: ['ACTIVE'] };
        case 'LOCKED_OUT':
          return { kind: 'call', operation: 'unlock', landed: ['ACTIVE'] };
        case 'STAGED':
        case 'DEPROVISIONED':
          // Without a password the user lands in PROVISIONED until they finish activation.
          return { kind: 'call', operation: 'activate', landed: ['ACTIVE', 'PROVISIONED'] };
        case 'PROVISIONED':
        case 'RECOVERY':
          // Restarts the activation the user hasn't completed; repeating it only resends the email.
          return { kind: 'call', operation: 'reactivate' };
        default:
          return {
            kind: 'refuse',
            message: `cannot activate a user whose Okta status is ${status || 'unknown'}`,
          };
      }
    default:
      return { kind: 'refuse', message: `no lifecycle operation for ${action}` };
  }
}
