import { RecordError, RequestError } from './errors.js';
import { normalizeId } from './ids.js';
import { canonicalField, objectNamed, objectOfId, type SfField, type SfObject } from './schema.js';
import { sfDateTime, type Row, type SalesforceStore } from './store.js';
import { checkAssignmentRemoval, checkNewAssignment } from './validate-assignment.js';
import { checkUser, userTypeOf } from './validate-user.js';
import { checkRecordRules } from './validate-record.js';

/**
 * Create, update and delete of one record with Salesforce's rules. Each call is atomic: a
 * RecordError leaves the store as it was. A RequestError (unknown field) fails the whole request.
 * `fromCsv` coerces Bulk API strings to the field types first.
 */

export interface WriteOptions {
  fromCsv?: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function objectOrThrow(type: string): SfObject {
  const o = objectNamed(type);
  if (!o) throw new RequestError(404, 'NOT_FOUND', 'The requested resource does not exist');
  return o;
}

function coerce(
  store: SalesforceStore,
  object: SfObject,
  name: string,
  def: SfField,
  raw: unknown,
  csv: boolean,
): unknown {
  let value = raw;
  if (csv && typeof value === 'string') {
    if (value === '' || value === '#N/A') value = null;
    else if (def.type === 'boolean')
      value = value.toLowerCase() === 'true' ? true : value.toLowerCase() === 'false' ? false : value;
    else if (def.type === 'int' || def.type === 'double')
      value = Number.isNaN(Number(value)) ? value : Number(value);
  }
  if (value === null || value === undefined || value === '') return null;
  const wrongType = () =>
    new RecordError(
      'INVALID_TYPE_ON_FIELD_IN_RECORD',
      `${name}: value not of required type: ${String(value)}`,
      [name],
    );
  switch (def.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType();
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType();
      return value;
    case 'double':
      if (typeof value !== 'number') throw wrongType();
      return value;
    case 'date':
      if (typeof value !== 'string' || !DATE.test(value)) throw wrongType();
      return value;
    case 'datetime':
      if (typeof value !== 'string' || !DATETIME.test(value)) throw wrongType();
      return sfDateTime(new Date(value));
    case 'reference':
    case 'id': {
      if (typeof value !== 'string') throw wrongType();
      const id = normalizeId(value);
      if (!id)
        throw new RecordError('MALFORMED_ID', `${object.label} ID: id value of incorrect type: ${value}`, [
          name,
        ]);
      const targets = [def.referenceTo ?? '', ...(def.alsoReferences ?? [])];
      if (!targets.some((t) => store.get(t, id)))
        throw new RecordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [name]);
      return id;
    }
    default: {
      if (typeof value !== 'string') throw wrongType();
      if (def.maxLength !== undefined && value.length > def.maxLength)
        throw new RecordError(
          'STRING_TOO_LONG',
          `${name}: data value too large: ${value} (max length=${def.maxLength})`,
          [name],
        );
      return value;
    }
  }
}

/** Canonical, type-checked field values from a request body (without attributes and Id). */
function fieldsOf(
  store: SalesforceStore,
  object: SfObject,
  input: Record<string, unknown>,
  mode: 'create' | 'update',
  csv: boolean,
): Row {
  const out: Record<string, unknown> = {};
  const refused: string[] = [];
  for (const [key, raw] of Object.entries(input)) {
    if (key === 'attributes' || key.toLowerCase() === 'id') continue;
    const name = canonicalField(object, key);
    if (!name)
      throw new RequestError(
        400,
        'INVALID_FIELD',
        `No such column '${key}' on sobject of type ${object.name}`,
      );
    const def = object.fields[name]!;
    if ((mode === 'create' ? def.create : def.update) === false) {
      refused.push(name);
      continue;
    }
    out[name] = coerce(store, object, name, def, raw, csv);
  }
  if (refused.length > 0)
    throw new RecordError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${refused.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      refused,
    );
  return out as Row;
}

/** Fields Salesforce computes from others (compound Name, closed flags). */
export function deriveFields(object: string, row: Row): void {
  if (object === 'User' || object === 'Contact' || object === 'Lead')
    row.Name = [row.FirstName, row.LastName].filter((s) => typeof s === 'string' && s !== '').join(' ');
  if (object === 'Opportunity') {
    const stage = String(row.StageName ?? '');
    row.IsClosed = stage.startsWith('Closed');
    row.IsWon = stage === 'Closed Won';
  }
  if (object === 'Case') row.IsClosed = row.Status === 'Closed';
}

const DEFAULTS: Record<string, Record<string, unknown>> = {
  User: { IsActive: true },
  Lead: { Status: 'Open - Not Contacted', IsConverted: false },
  // A checkbox is never null in Salesforce: unchecked unless set.
  Contact: { Accord_Inactive__c: false },
  Case: { Status: 'New' },
  Group: { Type: 'Regular' },
  PermissionSet: {
    IsOwnedByProfile: false,
    IsCustom: true,
    ProfileId: null,
    Type: 'Regular',
    PermissionSetGroupId: null,
    LicenseId: null,
  },
  PermissionSetAssignment: { IsActive: true, ExpirationDate: null, PermissionSetGroupId: null },
};

function auditFields(store: SalesforceStore, object: SfObject, create: boolean): Record<string, unknown> {
  const now = sfDateTime(store.now());
  const out: Record<string, unknown> = {};
  if (create && 'CreatedDate' in object.fields) out.CreatedDate = now;
  if ('LastModifiedDate' in object.fields) out.LastModifiedDate = now;
  if ('SystemModstamp' in object.fields) out.SystemModstamp = now;
  if ('LastModifiedById' in object.fields) out.LastModifiedById = store.user(store.adminUsername)?.Id ?? null;
  return out;
}

/** A full row with every schema field present (null when unset), as the REST API returns it. */
export function blankRow(object: SfObject, values: Record<string, unknown>): Row {
  const row: Record<string, unknown> = {};
  for (const name of Object.keys(object.fields)) row[name] = values[name] ?? null;
  return row as Row;
}

export function createRecord(
  store: SalesforceStore,
  type: string,
  input: Record<string, unknown>,
  options: WriteOptions = {},
): string {
  const object = objectOrThrow(type);
  return store.atomic(() => {
    if (!object.createable)
      throw new RecordError('INVALID_TYPE_FOR_OPERATION', 'entity type cannot be inserted');
    if (
      Object.keys(input).some((k) => k.toLowerCase() === 'id') &&
      input.Id !== undefined &&
      input.Id !== null
    )
      throw new RecordError('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']);
    const fields = fieldsOf(store, object, input, 'create', options.fromCsv === true);
    const id = store.nextId(object.name);
    const row = blankRow(object, {
      ...DEFAULTS[object.name],
      ...fields,
      ...auditFields(store, object, true),
      Id: id,
    });
    deriveFields(object.name, row);
    switch (object.name) {
      case 'User':
        row.UserType = userTypeOf(store, row.ProfileId);
        checkUser(store, row, undefined);
        break;
      case 'PermissionSetAssignment':
        checkNewAssignment(store, row);
        break;
      case 'Case':
        row.CaseNumber = String(store.table('Case').size + 1).padStart(8, '0');
        break;
      case 'Login_Event__c':
        row.Name = `LE-${String(store.table('Login_Event__c').size + 1).padStart(8, '0')}`;
        break;
    }
    checkRecordRules(store, object, row);
    store.write(object.name, id, row);
    if (object.name === 'User') addUserCompanions(store, row);
    return id;
  });
}

/** Every user has one UserLogin row and the assignment of their profile's permission set. */
export function addUserCompanions(store: SalesforceStore, user: Row): void {
  const loginId = store.nextId('UserLogin');
  store.write('UserLogin', loginId, {
    Id: loginId,
    LastModifiedDate: user.CreatedDate,
    UserId: user.Id,
    IsFrozen: false,
    IsPasswordLocked: false,
  });
  const setId = store.profileSetOf(String(user.ProfileId));
  if (setId) {
    const psaId = store.nextId('PermissionSetAssignment');
    store.write('PermissionSetAssignment', psaId, {
      Id: psaId,
      SystemModstamp: user.CreatedDate,
      AssigneeId: user.Id,
      PermissionSetId: setId,
      PermissionSetGroupId: null,
      IsActive: true,
      ExpirationDate: null,
    });
  }
}

function existing(
  store: SalesforceStore,
  object: SfObject | undefined,
  rawId: unknown,
): { object: SfObject; row: Row } {
  const id = typeof rawId === 'string' ? normalizeId(rawId) : undefined;
  if (!id) throw new RecordError('MALFORMED_ID', `malformed id ${String(rawId)}`, ['Id']);
  const o = object ?? objectOfId(id);
  const row = o ? store.get(o.name, id) : undefined;
  if (!o || !row) throw new RecordError('ENTITY_IS_DELETED', 'entity is deleted', []);
  return { object: o, row };
}

export function updateRecord(
  store: SalesforceStore,
  type: string,
  id: unknown,
  input: Record<string, unknown>,
  options: WriteOptions = {},
): string {
  const object = objectOrThrow(type);
  return store.atomic(() => {
    const { row: prev } = existing(store, object, id);
    if (!object.updateable)
      throw new RecordError('INVALID_TYPE_FOR_OPERATION', 'entity type cannot be updated');
    const fields = fieldsOf(store, object, input, 'update', options.fromCsv === true);
    const next: Row = { ...prev, ...fields, ...auditFields(store, object, false) };
    deriveFields(object.name, next);
    switch (object.name) {
      case 'User':
        next.UserType = userTypeOf(store, next.ProfileId);
        checkUser(store, next, prev);
        break;
      case 'UserLogin':
        // Only an administrator's unlock is possible: a password lock cannot be set through the API.
        if (next.IsPasswordLocked === true && prev.IsPasswordLocked !== true)
          throw new RecordError('FIELD_INTEGRITY_EXCEPTION', 'IsPasswordLocked can only be set to false', [
            'IsPasswordLocked',
          ]);
        if (next.IsFrozen === null) next.IsFrozen = false;
        break;
    }
    checkRecordRules(store, object, next, prev);
    store.write(object.name, prev.Id, next);
    if (object.name === 'User' && next.ProfileId !== prev.ProfileId) moveProfileAssignment(store, prev, next);
    return prev.Id;
  });
}

function moveProfileAssignment(store: SalesforceStore, prev: Row, next: Row): void {
  const oldSet = store.profileSetOf(String(prev.ProfileId));
  const newSet = store.profileSetOf(String(next.ProfileId));
  const psaId = oldSet ? store.assignmentId(prev.Id, oldSet) : undefined;
  const psa = psaId ? store.get('PermissionSetAssignment', psaId) : undefined;
  if (psa && newSet)
    store.write('PermissionSetAssignment', psa.Id, {
      ...psa,
      PermissionSetId: newSet,
      SystemModstamp: next.LastModifiedDate,
    });
}

/** `type` is checked against the id's object when given (single-record DELETE). */
export function deleteRecord(store: SalesforceStore, rawId: unknown, type?: string): string {
  return store.atomic(() => {
    const { object, row } = existing(store, type ? objectOrThrow(type) : undefined, rawId);
    if (!object.deletable)
      throw new RecordError('INVALID_TYPE_FOR_OPERATION', 'entity type cannot be deleted');
    if (object.name === 'PermissionSetAssignment') checkAssignmentRemoval(store, row);
    if (object.name === 'PermissionSet') {
      if (row.Type !== 'Regular')
        throw new RecordError(
          'FIELD_INTEGRITY_EXCEPTION',
          'This permission set is managed by a profile or a group.',
          [],
        );
      // Deleting a set removes its assignments, as in a real org.
      for (const a of [...store.table('PermissionSetAssignment').values()])
        if (a.PermissionSetId === row.Id) store.write('PermissionSetAssignment', a.Id, undefined);
    }
    store.write(object.name, row.Id, undefined);
    return row.Id;
  });
}
