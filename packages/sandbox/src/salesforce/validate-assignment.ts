import { RecordError } from './errors.js';
import type { Row, SalesforceStore } from './store.js';

/**
 * PermissionSetAssignment rules. A group assignment is stored the way Salesforce reports it:
 * PermissionSetGroupId set and PermissionSetId pointing at the group's aggregate permission set
 * (Type 'Group'), so "one row per assignee and permission set" also rules out assigning a group twice.
 */

// UNCONFIRMED: the status code Salesforce uses for profile-owned sets; the message is the UI's.
export const PROFILE_OWNED = () =>
  new RecordError(
    'FIELD_INTEGRITY_EXCEPTION',
    "You can't assign or unassign this permission set because it's associated with a profile.",
    ['PermissionSetId'],
  );

/** Fills PermissionSetId for a group assignment and throws the first rule `row` breaks. */
export function checkNewAssignment(store: SalesforceStore, row: Row): void {
  if (!row.AssigneeId)
    throw new RecordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [AssigneeId]', [
      'AssigneeId',
    ]);
  if (!row.PermissionSetId && !row.PermissionSetGroupId)
    throw new RecordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [PermissionSetId]', [
      'PermissionSetId',
    ]);
  if (typeof row.PermissionSetGroupId === 'string') {
    const aggregate = store.aggregateSetOf(row.PermissionSetGroupId);
    if (row.PermissionSetId && row.PermissionSetId !== aggregate)
      throw new RecordError(
        'FIELD_INTEGRITY_EXCEPTION',
        'Specify either a permission set or a permission set group, not both.',
        ['PermissionSetId', 'PermissionSetGroupId'],
      );
    row.PermissionSetId = aggregate;
  }
  const set = store.get('PermissionSet', String(row.PermissionSetId))!;
  if (set.IsOwnedByProfile === true) throw PROFILE_OWNED();
  if (set.Type === 'Group' && !row.PermissionSetGroupId)
    throw new RecordError(
      'FIELD_INTEGRITY_EXCEPTION',
      'This permission set belongs to a permission set group; assign the group with PermissionSetGroupId.',
      ['PermissionSetId'],
    );
  const assignee = store.get('User', String(row.AssigneeId))!;
  const license = store.licenseOfProfile(assignee.ProfileId);
  if (typeof set.LicenseId === 'string' && set.LicenseId !== license?.Id)
    throw new RecordError(
      'FIELD_INTEGRITY_EXCEPTION',
      `The user license doesn't match the user license of permission set ${String(set.Name)}`,
      ['PermissionSetId'],
    );
  if (store.assignmentId(String(row.AssigneeId), String(row.PermissionSetId)))
    throw new RecordError(
      'DUPLICATE_VALUE',
      'duplicate value found: <unknown> duplicates value on record with id: <unknown>',
      [],
    );
}

export function checkAssignmentRemoval(store: SalesforceStore, row: Row): void {
  const set = store.get('PermissionSet', String(row.PermissionSetId));
  if (set?.IsOwnedByProfile === true) throw PROFILE_OWNED();
}
