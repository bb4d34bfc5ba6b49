import type { AccountStatus, IdpId } from '../model/snapshot.js';
import type { Policy } from '../policy/policy.js';
import type { StatusLifecycle, StatusLifecycles } from '../policy/types.js';

/**
 * The per-status lifecycle (UC-06, UC-11): what a person's home status takes away on the other
 * platforms. A suspension is a pause, so by default it only freezes and suspends (both undone on
 * return); a deprovisioning or a deletion is a departure and offboards fully.
 */

/** A person's status: the home account's, or `deleted` when it is gone from the directory. */
export type PersonStatus = AccountStatus | 'deleted';

export type LeavingStatus = keyof StatusLifecycles;

/** What a status asks of the other platforms: every field decided, no defaults left to apply. */
export interface Leaving extends Required<StatusLifecycle> {
  status: LeavingStatus;
}

const LEAVING: Record<PersonStatus, LeavingStatus | undefined> = {
  active: undefined,
  // Not active yet rather than gone: nothing was given, so nothing is taken.
  staged: undefined,
  provisioned: undefined,
  locked: 'locked',
  suspended: 'suspended',
  deprovisioned: 'deprovisioned',
  deleted: 'deleted',
};

/**
 * The lifecycle of each status for the people of one home directory. The answers are shared by
 * everyone with that status (never mutate them).
 */
export function lifecycleOf(policy: Policy): (status: PersonStatus, home: IdpId) => Leaving | undefined {
  const declared = policy.lifecycle.statuses ?? {};
  const departure = (home: IdpId): Required<StatusLifecycle> => ({
    salesforce: 'offboard',
    idp: policy.lifecycle[home === 'okta' ? 'onelogin' : 'okta']?.action ?? 'deactivate',
  });
  const defaults = (status: LeavingStatus, home: IdpId): Required<StatusLifecycle> =>
    status === 'suspended'
      ? { salesforce: 'freeze', idp: 'suspend' }
      : status === 'locked'
        ? { salesforce: 'keep', idp: 'keep' }
        : departure(home);
  const cache = new Map<string, Leaving>();
  return (status, home) => {
    const leaving = LEAVING[status];
    if (!leaving) return undefined;
    const key = `${leaving}:${home}`;
    let answer = cache.get(key);
    if (!answer) {
      answer = { status: leaving, ...defaults(leaving, home), ...declared[leaving] };
      cache.set(key, answer);
    }
    return answer;
  };
}
