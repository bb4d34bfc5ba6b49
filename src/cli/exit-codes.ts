/**
 * Exit codes, one table for every command, so CI can act on them:
 *   0 success (no changes, clean); 1 error or invalid policy; 2 changes (`plan --detailed-exitcode`)
 *   or drift / unresolved people (`drift`); 3 only pending work (`drift`: policy or lifecycle not
 *   yet applied, which the next apply or reconcile takes care of; `events pull`: an alert's webhook
 *   failed and its backlog waits for the next pull); 4 the plan is blocked by a
 *   guard rail (`plan`, always: a blocked plan must fail the pull request's check).
 */
export const EXIT = { ok: 0, error: 1, changes: 2, pending: 3, blocked: 4 } as const;
