import { AccordError, isAccordError } from '../../errors.js';
import type {
  ContactReadScope,
  SalesforceAssignment,
  SalesforceContact,
  SalesforceRecordValues,
  SalesforceSnapshot,
  SalesforceUser,
  SnapshotScope,
} from '../../model/snapshot.js';
import type { Progress } from '../provider.js';
import { describeError, errorCodeOf } from './errors.js';
import { QUERY_BATCH, type SalesforceRecord, type Session } from './session.js';
import { inList, isIdentifier } from './soql.js';
import {
  BASE_VERSION,
  byId,
  catalogueDigest,
  later,
  newest,
  since,
  timeOf,
  type CachedRecords,
  type CachedRowSet,
  type SalesforceSnapshotBase,
} from './incremental.js';

/**
 * The org as accord compares it, read with one SOQL query per object. Each query costs
 * ceil(rows / 2000) calls and nothing is read per record.
 */

const USER_FIELDS = [
  'Id',
  'Username',
  'Email',
  'FirstName',
  'LastName',
  'Alias',
  'FederationIdentifier',
  'EmployeeNumber',
  'IsActive',
  'ProfileId',
  'Profile.Name',
  'Profile.UserLicense.Name',
  'UserRoleId',
  'UserRole.Name',
  'ManagerId',
  // Not mapped: the cursor of the next, incremental read (incremental.ts).
  'SystemModstamp',
];

export const SNAPSHOT_QUERIES = {
  // Only frozen logins matter, and asking for those alone keeps a 100k-user org to one call.
  frozen: 'SELECT UserId FROM UserLogin WHERE IsFrozen = true',
  profiles: 'SELECT Id, Name, UserLicense.Name FROM Profile',
  roles: 'SELECT Id, Name, DeveloperName FROM UserRole',
  // Profile-owned sets and the aggregate sets behind permission set groups are not assignable.
  permissionSets:
    'SELECT Id, Name, Label, License.Name FROM PermissionSet WHERE IsOwnedByProfile = false AND PermissionSetGroupId = null',
  permissionSetGroups: 'SELECT Id, DeveloperName, MasterLabel FROM PermissionSetGroup',
  assignments:
    'SELECT Id, AssigneeId, PermissionSetId, PermissionSet.Name, PermissionSetGroupId, PermissionSetGroup.DeveloperName, SystemModstamp FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false',
  // The incremental read's checks (incremental.ts): the same filters as the full queries.
  userCount: 'SELECT COUNT() FROM User',
  assignmentCount: 'SELECT COUNT() FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false',
  assignmentIds: 'SELECT Id FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false',
  licenses: 'SELECT Id, Name, TotalLicenses, UsedLicenses FROM UserLicense',
  queues: "SELECT Id, Name FROM Group WHERE Type = 'Queue'",
} as const;

type Rec = SalesforceRecord;

const str = (value: unknown): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : String(value);

/** `a.b.c` of a record, as jsforce returns parent relationships (nested objects, null when unset). */
function path(record: Rec, dotted: string): unknown {
  let value: unknown = record;
  for (const part of dotted.split('.')) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[part];
  }
  return value ?? null;
}

/** The extra User fields the scope asks for, minus those always read; names must be identifiers. */
export function extraUserFields(scope: SnapshotScope): string[] {
  const known = new Set(USER_FIELDS.map((f) => f.toLowerCase()));
  const out: string[] = [];
  for (const field of scope.salesforceFields) {
    if (!isIdentifier(field) || known.has(field.toLowerCase())) continue;
    known.add(field.toLowerCase());
    out.push(field);
  }
  return out;
}

const NO_SUCH_COLUMN = /No such column '([^']+)'/;

/** A read, how it was made, and what the next one may build on (see incremental.ts). */
export interface SalesforceRead {
  snapshot: SalesforceSnapshot;
  mode: 'full' | 'incremental';
  fallback?: string;
  base?: SalesforceSnapshotBase;
}

export async function readSnapshot(
  session: Session,
  org: string,
  scope: SnapshotScope,
  progress?: Progress,
): Promise<SalesforceSnapshot> {
  return (await readSalesforce(session, org, scope, progress)).snapshot;
}

/**
 * The org's snapshot: built on `base` when it can be trusted (incremental.ts), else read in full.
 * The catalogue is read in full either way; a doubt found after it reads only users and
 * assignments again.
 */
export async function readSalesforce(
  session: Session,
  org: string,
  scope: SnapshotScope,
  progress?: Progress,
  base?: SalesforceSnapshotBase,
): Promise<SalesforceRead> {
  const failed = (phase: string, error: unknown): AccordError =>
    isAccordError(error)
      ? error
      : new AccordError(
          `${session.platform}: reading ${phase} failed: ${describeError(error, session.context.secrets)}`,
          { code: 'snapshot.query-failed' },
        );
  const read = async (phase: string, soql: string): Promise<Rec[]> => {
    try {
      return await session.query(soql, { phase, progress });
    } catch (error) {
      throw failed(phase, error);
    }
  };
  const count = async (phase: string, soql: string): Promise<number> => {
    try {
      return await session.count(soql);
    } catch (error) {
      throw failed(phase, error);
    }
  };
  const userQuery = (fields: string[], where = '') =>
    `SELECT ${[...USER_FIELDS, ...fields].join(', ')} FROM User${where}`;

  // A field the org lacks is dropped and the query asked again, rather than describing User first.
  const readUsers = async (): Promise<{ rows: Rec[]; fields: string[] }> => {
    let fields = extraUserFields(scope);
    for (;;) {
      try {
        const rows = await session.query(userQuery(fields), { phase: 'User', progress });
        return { rows, fields };
      } catch (error) {
        const column =
          errorCodeOf(error) === 'INVALID_FIELD'
            ? NO_SUCH_COLUMN.exec(String((error as Error).message))?.[1]
            : undefined;
        const drop = column && fields.find((f) => f.toLowerCase() === column.toLowerCase());
        if (!drop) throw failed('User', error);
        fields = fields.filter((f) => f !== drop);
      }
    }
  };

  // One after another, so each query's reserve check sees the usage the previous one left; the
  // small one-page reads go first, so the usage is known before the queries that page.
  const licenses = await read('UserLicense', SNAPSHOT_QUERIES.licenses);
  const profiles = await read('Profile', SNAPSHOT_QUERIES.profiles);
  const roles = await read('UserRole', SNAPSHOT_QUERIES.roles);
  const sets = await read('PermissionSet', SNAPSHOT_QUERIES.permissionSets);
  const groups = await read('PermissionSetGroup', SNAPSHOT_QUERIES.permissionSetGroups);
  const queues = scope.salesforceQueues ? await read('Queue', SNAPSHOT_QUERIES.queues) : undefined;
  const contactScope = scope.salesforceContacts?.[org];
  const caseTypes = scope.salesforceCases?.[org];
  const caseRows = caseTypes?.length ? await read('Case', caseQuery(caseTypes)) : undefined;
  const frozen = await read('UserLogin', SNAPSHOT_QUERIES.frozen);
  const frozenIds = new Set(frozen.map((r) => String(r.UserId)));

  const catalogue = {
    profiles: profiles.map((r) => ({
      id: String(r.Id),
      name: String(r.Name),
      license: str(path(r, 'UserLicense.Name')) ?? '',
    })),
    roles: roles.map((r) => ({
      id: String(r.Id),
      name: String(r.Name),
      developerName: str(r.DeveloperName),
    })),
    permissionSets: sets.map((r) => ({
      id: String(r.Id),
      name: String(r.Name),
      label: str(r.Label) ?? String(r.Name),
      license: str(path(r, 'License.Name')),
    })),
    permissionSetGroups: groups.map((r) => ({
      id: String(r.Id),
      developerName: String(r.DeveloperName),
      label: str(r.MasterLabel) ?? String(r.DeveloperName),
    })),
  };
  const digest = catalogueDigest(catalogue);

  /** The delta on `base`, or why it cannot be trusted. */
  const delta = async (
    b: SalesforceSnapshotBase,
  ): Promise<
    | { doubt: string }
    | { users: SalesforceUser[]; assignments: SalesforceAssignment[]; cursors: [string, string | null] }
  > => {
    if (b.instanceUrl !== (session.context.url ?? ''))
      return { doubt: 'the cache is for another instance URL' };
    if (b.catalogue !== digest)
      return { doubt: 'a profile, role, permission set or group changed since the cached read' };
    const userSince = since(b.usersCursor);
    const setSince = b.assignmentsCursor === null ? null : since(b.assignmentsCursor);
    if (!userSince || setSince === undefined) return { doubt: 'the cache has no usable cursor' };

    let userRows: Rec[];
    try {
      userRows = await session.query(userQuery(b.fields, ` WHERE SystemModstamp > ${userSince}`), {
        phase: 'User',
        progress,
      });
    } catch (error) {
      // A field the cached read had is gone: the full read works out the fields again.
      if (errorCodeOf(error) === 'INVALID_FIELD') return { doubt: 'a cached User field is gone' };
      throw failed('User', error);
    }
    const users = new Map(b.users.map((u) => [u.id, u]));
    for (const r of userRows) users.set(String(r.Id), toUser(r, b.fields, frozenIds));
    const usersCursor = newest(userRows);
    if (usersCursor === undefined) return { doubt: 'a User row came back without SystemModstamp' };
    // The newest user read last time is inside the margin, so it comes back (users cannot be
    // deleted); nothing at or past the cursor means the org's data went back (a refreshed org).
    const cursorAt = timeOf(b.usersCursor)!;
    if (!userRows.some((r) => timeOf(r.SystemModstamp)! >= cursorAt))
      return { doubt: `cursor gap: no user at or after ${b.usersCursor}` };
    const liveUsers = await count('User', SNAPSHOT_QUERIES.userCount);
    if (liveUsers !== users.size)
      return { doubt: `the org has ${liveUsers} users, the merged read ${users.size}` };

    const setRows = await read(
      'PermissionSetAssignment',
      setSince === null
        ? SNAPSHOT_QUERIES.assignments
        : `${SNAPSHOT_QUERIES.assignments} AND SystemModstamp > ${setSince}`,
    );
    const setsCursor = newest(setRows);
    if (setsCursor === undefined) return { doubt: 'an assignment came back without SystemModstamp' };
    const assignments = new Map(b.assignments.map((a) => [a.id, a]));
    for (const r of setRows) assignments.set(String(r.Id), toAssignment(r));
    const liveSets = await count('PermissionSetAssignment', SNAPSHOT_QUERIES.assignmentCount);
    if (liveSets > assignments.size)
      return { doubt: `the org has ${liveSets} assignments, the merged read ${assignments.size}` };
    if (liveSets < assignments.size) {
      // Revokes: keep only the ids that still exist, which must then be all of them.
      const ids = new Set(
        (await read('PermissionSetAssignment', SNAPSHOT_QUERIES.assignmentIds)).map((r) => String(r.Id)),
      );
      for (const id of ids)
        if (!assignments.has(id)) return { doubt: `assignment ${id} was not in the merged read` };
      for (const id of assignments.keys()) if (!ids.has(id)) assignments.delete(id);
    }
    return {
      users: [...users.values()]
        .map((u) => (frozenIds.has(u.id) === u.frozen ? u : { ...u, frozen: !u.frozen }))
        .sort(byId),
      assignments: [...assignments.values()].sort(byId),
      cursors: [later(b.usersCursor, usersCursor) ?? b.usersCursor, later(b.assignmentsCursor, setsCursor)],
    };
  };

  let mode: SalesforceRead['mode'] = 'full';
  let fallback: string | undefined;
  let users: SalesforceUser[];
  let assignments: SalesforceAssignment[];
  let fields: string[];
  let cursors: [string | null | undefined, string | null | undefined];
  const built = base ? await delta(base) : undefined;
  if (built && !('doubt' in built)) {
    mode = 'incremental';
    ({ users, assignments } = built);
    fields = base!.fields;
    cursors = built.cursors;
  } else {
    if (built) fallback = built.doubt;
    const userRead = await readUsers();
    const setRows = await read('PermissionSetAssignment', SNAPSHOT_QUERIES.assignments);
    users = userRead.rows.map((r) => toUser(r, userRead.fields, frozenIds)).sort(byId);
    assignments = setRows.map(toAssignment).sort(byId);
    fields = userRead.fields;
    cursors = [newest(userRead.rows), newest(setRows)];
  }

  // CRM records build on the cache only where users and assignments could: a doubt there (another
  // instance, a refreshed org) is a doubt about every cached row.
  const rowSet = <T extends { id: string }>(query: RowQuery, map: (r: Rec) => T, cached?: CachedRowSet<T>) =>
    readRowSet({ read, count }, query, map, mode === 'incremental' ? cached : undefined);
  const contactRead = contactScope
    ? await rowSet(contactQuery(contactScope), toContact(contactScope), base?.records?.Contact)
    : undefined;
  const accountRead = contactScope
    ? await rowSet(accountQuery(contactScope), toCrmAccount(contactScope), base?.records?.Account)
    : undefined;

  const snapshot: SalesforceSnapshot = {
    platform: session.platform as `salesforce:${string}`,
    org,
    users,
    ...catalogue,
    assignments,
    licenses: licenses.map((r) => ({
      id: String(r.Id),
      name: String(r.Name),
      total: Number(r.TotalLicenses ?? 0),
      used: Number(r.UsedLicenses ?? 0),
    })),
    ...(queues ? { queues: queues.map((r) => ({ id: String(r.Id), name: String(r.Name) })) } : {}),
    ...(contactRead && accountRead ? { contacts: contactRead.rows, accounts: accountRead.rows } : {}),
    ...(caseRows
      ? {
          cases: caseRows
            .map((r) => ({
              id: String(r.Id),
              type: String(r.Type),
              subject: str(r.Subject),
              contactEmail: str(path(r, 'Contact.Email')),
            }))
            .sort(byId),
        }
      : {}),
    fetchedAt: new Date().toISOString(),
  };
  const [usersCursor, assignmentsCursor] = cursors;
  // No base without a cursor on every row: the next read is then full.
  const next: SalesforceSnapshotBase | undefined =
    typeof usersCursor === 'string' && assignmentsCursor !== undefined
      ? {
          version: BASE_VERSION,
          instanceUrl: session.context.url ?? '',
          fields,
          catalogue: digest,
          usersCursor,
          assignmentsCursor,
          users,
          assignments,
          ...(contactRead && accountRead
            ? { records: rowSetsToCache({ Contact: contactRead, Account: accountRead }) }
            : {}),
        }
      : undefined;
  return { snapshot, mode, ...(fallback !== undefined ? { fallback } : {}), ...(next ? { base: next } : {}) };
}

const identifiers = (fields: readonly string[]) =>
  fields.filter((f) => isIdentifier(f) && f !== 'Id' && f !== 'AccountId');
const contactFields = (scope: ContactReadScope) => identifiers(scope.contactFields);
const accountFields = (scope: ContactReadScope) => identifiers(scope.accountFields);

/**
 * accord's Contacts: those whose External ID field is set (one query whatever the declarations),
 * with only the fields the declarations compare (UC-14, UC-15).
 */
export function contactQuery(scope: ContactReadScope): RowQuery {
  const keyed = identifiers(scope.externalIdFields).map((f) => `${f} != null`);
  return {
    object: 'Contact',
    fields: stamped(['Id', 'AccountId', ...contactFields(scope)]),
    ...(keyed.length > 0 ? { where: keyed.join(' OR ') } : {}),
  };
}

const toContact =
  (scope: ContactReadScope) =>
  (r: Rec): SalesforceContact => ({
    id: String(r.Id),
    accountId: str(r.AccountId),
    fields: recordValues(r, contactFields(scope)),
  });

const toCrmAccount =
  (scope: ContactReadScope) =>
  (r: Rec): SalesforceRecordValues => ({ id: String(r.Id), fields: recordValues(r, accountFields(scope)) });

/** Open Cases of the types conditions name (UC-16), with their Contact's email: one query per org. */
export function caseQuery(types: readonly string[]): string {
  return `SELECT Id, Type, Subject, Contact.Email FROM Case WHERE IsClosed = false AND Type IN ${inList(types)}`;
}

/** The Accounts contacts may go under: every Account, with the fields their lookups compare. */
export function accountQuery(scope: ContactReadScope): RowQuery {
  return { object: 'Account', fields: stamped(['Id', ...accountFields(scope)]) };
}

/** The fields with SystemModstamp last, once (SOQL refuses a field selected twice, in any case). */
const stamped = (fields: string[]): string[] => [
  ...fields.filter((f) => f.toLowerCase() !== 'systemmodstamp'),
  'SystemModstamp',
];

/** The rows of one object under one filter (its SELECT list ends with SystemModstamp). */
export interface RowQuery {
  object: string;
  fields: string[];
  where?: string;
}

/** The query's SOQL with `fields` selected, its filter and `and` both holding. */
const soqlOf = (q: RowQuery, fields: string, and?: string): string => {
  const where = [q.where && and ? `(${q.where})` : q.where, and].filter(Boolean).join(' AND ');
  return `SELECT ${fields} FROM ${q.object}${where ? ` WHERE ${where}` : ''}`;
};

/** What a read of one row set did: its rows in id order, and what the next read may build on. */
interface RowSetRead<T> {
  query: string;
  rows: T[];
  /** The newest SystemModstamp; null for no rows, undefined when a row lacked one. */
  cursor: string | null | undefined;
}

/**
 * One row set, built on what the last read cached when that can be trusted (see `CachedRowSet`
 * in incremental.ts): the rows stamped since its cursor (less the margin), merged by id. A COUNT()
 * under the same filter above the merge means a gap and reads in full; below it, rows were
 * deleted (or left the filter), and the ids still there are read to drop the others.
 */
async function readRowSet<T extends { id: string }>(
  io: {
    read: (phase: string, soql: string) => Promise<Rec[]>;
    count: (phase: string, soql: string) => Promise<number>;
  },
  q: RowQuery,
  map: (r: Rec) => T,
  cached: CachedRowSet<T> | undefined,
): Promise<RowSetRead<T>> {
  const query = soqlOf(q, q.fields.join(', '));
  const full = async (): Promise<RowSetRead<T>> => {
    const rows = await io.read(q.object, query);
    return { query, rows: rows.map(map).sort(byId), cursor: newest(rows) };
  };
  // The query is compared as well as the scope's cache key: another accord may select otherwise.
  const after = cached?.query === query && cached.cursor !== null ? since(cached.cursor) : undefined;
  if (!cached || !after) return full();
  const changed = await io.read(q.object, soqlOf(q, q.fields.join(', '), `SystemModstamp > ${after}`));
  const cursor = newest(changed);
  const merged = new Map(cached.rows.map((r) => [r.id, r]));
  for (const r of changed) merged.set(String(r.Id), map(r));
  const live = await io.count(q.object, soqlOf(q, 'COUNT()'));
  if (cursor === undefined || live > merged.size) return full();
  if (live < merged.size) {
    const ids = new Set((await io.read(q.object, soqlOf(q, 'Id'))).map((r) => String(r.Id)));
    for (const id of merged.keys()) if (!ids.has(id)) merged.delete(id);
  }
  return { query, rows: [...merged.values()].sort(byId), cursor: later(cached.cursor, cursor) };
}

/** What the base keeps of the record sets: those worth a delta next time (more than one page). */
function rowSetsToCache(reads: {
  Contact: RowSetRead<SalesforceContact>;
  Account: RowSetRead<SalesforceRecordValues>;
}): CachedRecords {
  const out: CachedRecords = {};
  const keep = <T>(r: RowSetRead<T>): CachedRowSet<T> | undefined =>
    r.rows.length > QUERY_BATCH && r.cursor !== undefined
      ? { query: r.query, cursor: r.cursor, rows: r.rows }
      : undefined;
  const contact = keep(reads.Contact);
  if (contact) out.Contact = contact;
  const account = keep(reads.Account);
  if (account) out.Account = account;
  return out;
}

function recordValues(r: Rec, fields: readonly string[]): Record<string, string | boolean | null> {
  const out: Record<string, string | boolean | null> = {};
  for (const f of fields) {
    const v = r[f];
    out[f] = typeof v === 'boolean' ? v : str(v);
  }
  return out;
}

function toUser(r: Rec, extra: string[], frozen: Set<string>): SalesforceUser {
  const id = String(r.Id);
  return {
    id,
    username: String(r.Username),
    email: str(r.Email) ?? '',
    firstName: str(r.FirstName),
    lastName: str(r.LastName) ?? '',
    alias: str(r.Alias) ?? '',
    federationId: str(r.FederationIdentifier),
    employeeNumber: str(r.EmployeeNumber),
    isActive: r.IsActive === true,
    frozen: frozen.has(id),
    profileId: str(r.ProfileId) ?? '',
    profile: str(path(r, 'Profile.Name')) ?? '',
    license: str(path(r, 'Profile.UserLicense.Name')) ?? '',
    roleId: str(r.UserRoleId),
    role: str(path(r, 'UserRole.Name')),
    managerId: str(r.ManagerId),
    fields: Object.fromEntries(extra.map((f) => [f, str(r[f])])),
  };
}

/** A group assignment also names the group's aggregate set; the group is what it grants. */
export function toAssignment(r: Rec): SalesforceAssignment {
  const group = str(r.PermissionSetGroupId);
  return group
    ? {
        id: String(r.Id),
        userId: String(r.AssigneeId),
        permissionSetGroup: str(path(r, 'PermissionSetGroup.DeveloperName')) ?? group,
      }
    : {
        id: String(r.Id),
        userId: String(r.AssigneeId),
        permissionSet: str(path(r, 'PermissionSet.Name')) ?? String(r.PermissionSetId),
      };
}
