import type { AccountStatus } from '../../model/snapshot.js';

/**
 * OneLogin `status` and `state` codes (Go SDK constants) to accord's account statuses, and back.
 *
 * status: 0 Unactivated, 1 Active, 2 Suspended, 3 Locked, 4 Password expired, 5 Awaiting password
 * reset, 7 Password pending, 8 Security questions required. state: 0 Unapproved, 1 Approved,
 * 2 Rejected, 3 Unlicensed.
 *
 * OneLogin has no "deprovisioned". A leaver is kept as Suspended (2) AND Unlicensed (3), which no
 * merely suspended user is, so a snapshot can tell "left" from "paused" (see the emulator README).
 * 4, 5 and 8 are password chores of an otherwise active account; 7 (created without a password)
 * is provisioned: waiting for the person to set one. 0 has never been activated.
 */
export function accountStatus(status: number, state: number): AccountStatus {
  switch (status) {
    case 1:
    case 4:
    case 5:
    case 8:
      return 'active';
    case 7:
      return 'provisioned';
    case 0:
      return 'staged';
    case 2:
      return state === 3 ? 'deprovisioned' : 'suspended';
    case 3:
      return 'locked';
    default:
      // An unknown code can't be trusted to log in, and must not read as "left" either.
      return 'suspended';
  }
}

export const rawStatus = (status: number, state: number): string => `status=${status},state=${state}`;

/** The `PUT /api/2/users/:id` body for each lifecycle action (status and state are writable there). */
export const LIFECYCLE_BODY = {
  suspend: { status: 2 },
  activate: { status: 1, state: 1 },
  deactivate: { status: 2, state: 3 },
} as const;

/** Codes for an account status named on create (`after.status: 'active'`); staged is OneLogin's default. */
export const CREATE_STATUS: Partial<Record<AccountStatus, { status: number; state: number }>> = {
  active: { status: 1, state: 1 },
  suspended: { status: 2, state: 1 },
  deprovisioned: { status: 2, state: 3 },
  locked: { status: 3, state: 1 },
};
