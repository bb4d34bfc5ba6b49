import { digestOf } from '../../model/canonical-json.js';
import type {
  SalesforceAssignment,
  SalesforceContact,
  SalesforceRecordValues,
  SalesforceSnapshot,
  SalesforceUser,
} from '../../model/snapshot.js';

/**
 * What a Salesforce read leaves for the next one (kept in the snapshot cache,
 * providers/snapshot-cache.ts), and the rules for trusting it. Only what the snapshot already
 * holds (users as mapped, non-profile assignments), the org's own newest `SystemModstamp` per
 * object, and a digest of the catalogue. No token, no secret.
 *
 * The next read then costs, on an unchanged org (N catalogue calls: UserLicense, Profile,
 * UserRole, PermissionSet, PermissionSetGroup, the frozen UserLogin rows, and Group when queues
 * are read; each is one call and stays a full read: licence counts move with every activation,
 * and frozen lives on UserLogin, not on User):
 *   N + 4 calls: `User WHERE SystemModstamp > since`, `SELECT COUNT() FROM User`,
 *   `PermissionSetAssignment WHERE ... AND SystemModstamp > since`, and its COUNT() with the
 *   full read's filter.
 * When the assignment count is below what the merge holds, some were deleted (a revoke), and the
 * ids are read (`SELECT Id FROM PermissionSetAssignment WHERE <the same filter>`, 2000 a page,
 * ids only) to drop the ones gone: no full read for a revoke.
 * Where the org declares contacts, accord's Contacts and the Accounts are read the same way (a
 * delta and a COUNT(), the id list after a delete), once a set is larger than one page; a set
 * of one page stays one full call (`CachedRowSet`).
 *
 * Why this sees every change:
 *   - `SystemModstamp` is set on every change to a row, by a user or by the system (unlike
 *     LastModifiedDate), creates included. A profile or role change, a (de)activation and any
 *     field edit move the User row's; a grant creates an assignment row. Users cannot be deleted.
 *   - a revoke deletes the assignment row, which no time filter sees: every cached row that
 *     still exists is either old (cached) or new (in the delta), so the merge holds every live
 *     row plus the deleted ones, and its size equals the COUNT() exactly when nothing was deleted.
 *     (queryAll with IsDeleted would also show deletes, but deleted rows stay in the recycle bin
 *     only for a while and purges drop them; platform-apis.md does not confirm it for this
 *     object, so the count and the id list are used instead.)
 *   - a user's Profile.Name, Profile.UserLicense.Name and UserRole.Name, and an assignment's
 *     PermissionSet.Name or PermissionSetGroup.DeveloperName, come from parent rows whose edits
 *     do not touch the child's SystemModstamp; the catalogue is read in full every time and any
 *     difference from the cached digest reads everything.
 *   - the cursor is the newest SystemModstamp Salesforce returned (never the local clock), less
 *     CURSOR_MARGIN_MS, floored to the second (SOQL datetime literals carry seconds).
 */

export const CURSOR_MARGIN_MS = 5 * 60_000;
export const BASE_VERSION = 1;

/** A user as cached: the snapshot's (its `frozen` is read again from UserLogin every time). */
export type CachedSalesforceUser = SalesforceUser;

export interface SalesforceSnapshotBase {
  version: typeof BASE_VERSION;
  /** Where the rows were read from (the session's instance URL). */
  instanceUrl: string;
  /** The extra User fields the org had (those it lacked were dropped from the query). */
  fields: string[];
  /** catalogueDigest() of the snapshot the rows were read with. */
  catalogue: string;
  /** The newest User SystemModstamp read (the org's clock, as it rendered it). */
  usersCursor: string;
  /** The newest assignment SystemModstamp read; null when there were none. */
  assignmentsCursor: string | null;
  users: CachedSalesforceUser[];
  assignments: SalesforceAssignment[];
  /** The CRM records contacts read (UC-14, UC-15), when the org declares contacts. */
  records?: CachedRecords;
}

/**
 * One object's rows under one query, as a later read brings them up to date: the rows stamped
 * since the cursor, merged by id, and a COUNT() under the same filter to see deletes (then the ids
 * still there, ids only). Cached only for a set larger than one page: below that, a full read is
 * one call and the delta and its count are two.
 */
export interface CachedRowSet<T> {
  /** The full read's SOQL: a different one (a field declared or dropped) reads in full. */
  query: string;
  /** The newest SystemModstamp among the rows; null when there were none. */
  cursor: string | null;
  rows: T[];
}

export interface CachedRecords {
  Contact?: CachedRowSet<SalesforceContact>;
  Account?: CachedRowSet<SalesforceRecordValues>;
}

/** What the cached rows' relationship names depend on. */
export const catalogueDigest = (
  s: Pick<SalesforceSnapshot, 'profiles' | 'roles' | 'permissionSets' | 'permissionSetGroups'>,
): string =>
  digestOf({
    profiles: s.profiles,
    roles: s.roles,
    permissionSets: s.permissionSets,
    permissionSetGroups: s.permissionSetGroups,
  });

/** Salesforce renders datetimes as `2024-01-15T09:00:00.000+0000`, which Date.parse may refuse. */
export function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const at = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(at) ? undefined : at;
}

/** The SOQL literal for `SystemModstamp >`: the cursor less the margin, floored to the second. */
export function since(cursor: string): string | undefined {
  const at = timeOf(cursor);
  if (at === undefined) return undefined;
  const floor = Math.floor((at - CURSOR_MARGIN_MS) / 1000) * 1000;
  return new Date(floor).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The newest stamp of these rows, as the org wrote it; undefined when one lacks it; null when none. */
export function newest(rows: readonly Record<string, unknown>[]): string | null | undefined {
  let best: string | null = null;
  let bestAt = -Infinity;
  for (const r of rows) {
    const at = timeOf(r.SystemModstamp);
    if (at === undefined) return undefined;
    if (at > bestAt) {
      bestAt = at;
      best = r.SystemModstamp as string;
    }
  }
  return best;
}

/** The later of two stamps (either may be null). */
export function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return timeOf(b)! > timeOf(a)! ? b : a;
}

/** By id, in code-unit order: the order full and incremental reads both return. */
export const byId = <T extends { id: string }>(a: T, b: T): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** A base read back from disk, checked field by field; undefined when anything is off. */
export function parseBase(value: unknown): SalesforceSnapshotBase | undefined {
  if (!isRecord(value) || value.version !== BASE_VERSION) return undefined;
  if (typeof value.instanceUrl !== 'string' || typeof value.catalogue !== 'string') return undefined;
  if (!Array.isArray(value.fields) || !(value.fields as unknown[]).every((f) => typeof f === 'string'))
    return undefined;
  if (timeOf(value.usersCursor) === undefined) return undefined;
  if (value.assignmentsCursor !== null && timeOf(value.assignmentsCursor) === undefined) return undefined;
  if (!Array.isArray(value.users) || !Array.isArray(value.assignments)) return undefined;
  for (const u of value.users as unknown[]) {
    if (!isRecord(u) || typeof u.id !== 'string' || typeof u.username !== 'string') return undefined;
    if (typeof u.isActive !== 'boolean' || typeof u.frozen !== 'boolean' || !isRecord(u.fields))
      return undefined;
  }
  for (const a of value.assignments as unknown[]) {
    if (!isRecord(a) || typeof a.id !== 'string' || typeof a.userId !== 'string') return undefined;
    if (typeof a.permissionSet !== 'string' && typeof a.permissionSetGroup !== 'string') return undefined;
  }
  // A malformed record set only costs its object a full read; the rest of the base still holds.
  if (value.records === undefined) return value as unknown as SalesforceSnapshotBase;
  const records: CachedRecords = {};
  if (isRecord(value.records))
    for (const object of ['Contact', 'Account'] as const) {
      const set = value.records[object];
      if (isRowSet(set)) Object.assign(records, { [object]: set });
    }
  return { ...(value as unknown as SalesforceSnapshotBase), records };
}

const isRowSet = (set: unknown): boolean =>
  isRecord(set) &&
  typeof set.query === 'string' &&
  (set.cursor === null || timeOf(set.cursor) !== undefined) &&
  Array.isArray(set.rows) &&
  (set.rows as unknown[]).every((r) => isRecord(r) && typeof r.id === 'string' && isRecord(r.fields));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
