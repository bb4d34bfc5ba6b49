import { AccordError, isAccordError } from '../../errors.js';
import type {
  SalesforceAssignment,
  SalesforceSnapshot,
  SalesforceUser,
  SnapshotScope,
} from '../../model/snapshot.js';
import type { Progress } from '../provider.js';
import { describeError, errorCodeOf } from './errors.js';
import type { SalesforceRecord, Session } from './session.js';
import { isIdentifier } from './soql.js';

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
    'SELECT Id, AssigneeId, PermissionSetId, PermissionSet.Name, PermissionSetGroupId, PermissionSetGroup.DeveloperName FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false',
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

export async function readSnapshot(
  session: Session,
  org: string,
  scope: SnapshotScope,
  progress?: Progress,
): Promise<SalesforceSnapshot> {
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

  // A field the org lacks is dropped and the query asked again, rather than describing User first.
  const readUsers = async (): Promise<{ rows: Rec[]; fields: string[] }> => {
    let fields = extraUserFields(scope);
    for (;;) {
      try {
        const rows = await session.query(`SELECT ${[...USER_FIELDS, ...fields].join(', ')} FROM User`, {
          phase: 'User',
          progress,
        });
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
  const frozen = await read('UserLogin', SNAPSHOT_QUERIES.frozen);
  const users = await readUsers();
  const assignments = await read('PermissionSetAssignment', SNAPSHOT_QUERIES.assignments);

  const frozenIds = new Set(frozen.map((r) => String(r.UserId)));
  return {
    platform: session.platform as `salesforce:${string}`,
    org,
    users: users.rows.map((r) => toUser(r, users.fields, frozenIds)),
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
    assignments: assignments.map(toAssignment),
    licenses: licenses.map((r) => ({
      id: String(r.Id),
      name: String(r.Name),
      total: Number(r.TotalLicenses ?? 0),
      used: Number(r.UsedLicenses ?? 0),
    })),
    ...(queues ? { queues: queues.map((r) => ({ id: String(r.Id), name: String(r.Name) })) } : {}),
    fetchedAt: new Date().toISOString(),
  };
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
