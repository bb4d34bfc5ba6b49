import type { FieldDef, FieldType, SObjectSchema } from './soql/index.js';
import { KEY_PREFIX } from './ids.js';

/**
 * The sObjects the emulator knows, with what the REST write paths need on top of the SOQL
 * engine's FieldDef: whether a field may be set on create/update and how long a string may be.
 * Field names are canonical here; requests may spell them in any case, as Salesforce allows.
 */

export interface SfField extends FieldDef {
  /** Settable on create (default true). */
  create?: boolean;
  /** Settable on update (default true). */
  update?: boolean;
  maxLength?: number;
  /** Also accepts ids of these objects (OwnerId may be a queue). */
  alsoReferences?: string[];
  /** Marked External ID (and unique, compared without case): upserts may key on it. */
  externalId?: boolean;
  /** Required on create, and never set to empty (Salesforce's REQUIRED_FIELD_MISSING). */
  required?: boolean;
}

export interface SfObject extends SObjectSchema {
  fields: Record<string, SfField>;
  prefix: string;
  label: string;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
}

const f = (type: FieldType, extra: Partial<SfField> = {}): SfField => ({ type, ...extra });
const ro = (type: FieldType, extra: Partial<SfField> = {}): SfField =>
  f(type, { create: false, update: false, ...extra });
const ref = (to: string, relationshipName: string, extra: Partial<SfField> = {}): SfField =>
  f('reference', { referenceTo: to, relationshipName, ...extra });

const audit = {
  Id: ro('id'),
  CreatedDate: ro('datetime'),
  LastModifiedDate: ro('datetime'),
  LastModifiedById: ro('reference', { referenceTo: 'User', relationshipName: 'LastModifiedBy' }),
  // Every object has it: set on every change to the row, by a user or by the system (as
  // LastModifiedDate is not). Incremental reads filter on it (accord's incremental.ts).
  SystemModstamp: ro('datetime'),
};
const owner = { OwnerId: ref('User', 'Owner', { alsoReferences: ['Group'] }) };

const objects: Omit<SfObject, 'prefix'>[] = [
  {
    name: 'Organization',
    label: 'Organization',
    createable: false,
    updateable: false,
    deletable: false,
    fields: { Id: ro('id'), Name: ro('string'), OrganizationType: ro('string'), IsSandbox: ro('boolean') },
  },
  {
    name: 'User',
    label: 'User',
    createable: true,
    updateable: true,
    deletable: false,
    fields: {
      ...audit,
      Username: f('string', { maxLength: 80 }),
      Email: f('string', { maxLength: 128 }),
      FirstName: f('string', { maxLength: 40 }),
      LastName: f('string', { maxLength: 80 }),
      // Compound, derived from FirstName and LastName.
      Name: ro('string'),
      Alias: f('string', { maxLength: 8 }),
      CommunityNickname: f('string', { maxLength: 40 }),
      TimeZoneSidKey: f('picklist'),
      LocaleSidKey: f('picklist'),
      EmailEncodingKey: f('picklist'),
      LanguageLocaleKey: f('picklist'),
      ProfileId: ref('Profile', 'Profile'),
      UserRoleId: ref('UserRole', 'UserRole'),
      IsActive: f('boolean'),
      FederationIdentifier: f('string', { maxLength: 512 }),
      EmployeeNumber: f('string', { maxLength: 20 }),
      ManagerId: ref('User', 'Manager'),
      Department: f('string', { maxLength: 80 }),
      Title: f('string', { maxLength: 80 }),
      Phone: f('string', { maxLength: 40 }),
      City: f('string', { maxLength: 40 }),
      Country: f('string', { maxLength: 80 }),
      // A custom field the sales team keeps by hand (UC-16 reads it as a source).
      Territory__c: f('string', { maxLength: 80 }),
      UserType: ro('picklist'),
      LastLoginDate: ro('datetime'),
    },
  },
  {
    name: 'Profile',
    label: 'Profile',
    createable: false,
    updateable: false,
    deletable: false,
    fields: {
      ...audit,
      Name: ro('string'),
      UserLicenseId: ro('reference', { referenceTo: 'UserLicense', relationshipName: 'UserLicense' }),
      UserType: ro('picklist'),
    },
  },
  {
    name: 'UserRole',
    label: 'Role',
    createable: true,
    updateable: true,
    deletable: true,
    fields: {
      ...audit,
      Name: f('string', { maxLength: 80 }),
      DeveloperName: f('string', { maxLength: 80 }),
      ParentRoleId: ref('UserRole', 'ParentRole'),
    },
  },
  {
    name: 'UserLicense',
    label: 'User License',
    createable: false,
    updateable: false,
    deletable: false,
    fields: {
      ...audit,
      Name: ro('string'),
      MasterLabel: ro('string'),
      LicenseDefinitionKey: ro('string'),
      Status: ro('picklist'),
      TotalLicenses: ro('int'),
      // Derived from the active users whose profile carries this license.
      UsedLicenses: ro('int'),
    },
  },
  {
    name: 'PermissionSet',
    label: 'Permission Set',
    createable: true,
    updateable: true,
    deletable: true,
    fields: {
      ...audit,
      Name: f('string', { maxLength: 80 }),
      Label: f('string', { maxLength: 80 }),
      Description: f('string', { maxLength: 255 }),
      IsOwnedByProfile: ro('boolean'),
      ProfileId: ro('reference', { referenceTo: 'Profile', relationshipName: 'Profile' }),
      IsCustom: ro('boolean'),
      LicenseId: ref('UserLicense', 'License', { update: false }),
      // 'Regular' | 'Profile' | 'Group' (the aggregate set of a permission set group).
      Type: ro('picklist'),
      PermissionSetGroupId: ro('reference', {
        referenceTo: 'PermissionSetGroup',
        relationshipName: 'PermissionSetGroup',
      }),
    },
  },
  {
    name: 'PermissionSetGroup',
    label: 'Permission Set Group',
    createable: false,
    updateable: false,
    deletable: false,
    fields: {
      ...audit,
      DeveloperName: ro('string'),
      MasterLabel: ro('string'),
      Description: ro('string'),
      // UNCONFIRMED value set; 'Updated' is what a settled group shows.
      Status: ro('picklist'),
    },
  },
  {
    name: 'PermissionSetGroupComponent',
    label: 'Permission Set Group Component',
    createable: false,
    updateable: false,
    deletable: false,
    fields: {
      ...audit,
      PermissionSetGroupId: ro('reference', {
        referenceTo: 'PermissionSetGroup',
        relationshipName: 'PermissionSetGroup',
      }),
      PermissionSetId: ro('reference', { referenceTo: 'PermissionSet', relationshipName: 'PermissionSet' }),
    },
  },
  {
    name: 'PermissionSetAssignment',
    label: 'Permission Set Assignment',
    createable: true,
    updateable: true,
    deletable: true,
    fields: {
      Id: ro('id'),
      SystemModstamp: ro('datetime'),
      AssigneeId: ref('User', 'Assignee', { update: false }),
      PermissionSetId: ref('PermissionSet', 'PermissionSet', { update: false }),
      PermissionSetGroupId: ref('PermissionSetGroup', 'PermissionSetGroup', { update: false }),
      IsActive: ro('boolean'),
      ExpirationDate: f('datetime'),
    },
  },
  {
    name: 'UserLogin',
    label: 'User Login',
    createable: false,
    updateable: true,
    deletable: false,
    fields: {
      Id: ro('id'),
      LastModifiedDate: ro('datetime'),
      UserId: ro('reference', { referenceTo: 'User', relationshipName: 'User' }),
      IsFrozen: f('boolean'),
      IsPasswordLocked: f('boolean'),
    },
  },
  {
    name: 'Account',
    label: 'Account',
    createable: true,
    updateable: true,
    deletable: true,
    fields: {
      ...audit,
      ...owner,
      Name: f('string', { maxLength: 255, required: true }),
      Type: f('picklist'),
      Industry: f('picklist'),
      Website: f('string', { maxLength: 255 }),
      AccountNumber: f('string', { maxLength: 40 }),
      // Custom fields of the demo org (UC-14): the key of a partner organisation.
      Partner_Key__c: f('string', { maxLength: 80, externalId: true }),
    },
  },
  {
    name: 'Contact',
    label: 'Contact',
    createable: true,
    updateable: true,
    deletable: true,
    fields: {
      ...audit,
      ...owner,
      FirstName: f('string', { maxLength: 40 }),
      LastName: f('string', { maxLength: 80, required: true }),
      Name: ro('string'),
      Email: f('string', { maxLength: 80 }),
      AccountId: ref('Account', 'Account'),
      Title: f('string', { maxLength: 128 }),
      Department: f('string', { maxLength: 80 }),
      Phone: f('string', { maxLength: 40 }),
      Description: f('string', { maxLength: 32000 }),
      // Custom fields of the demo org (UC-14, UC-15): accord's key, the source tag, the leaver flag.
      Accord_Id__c: f('string', { maxLength: 255, externalId: true }),
      Accord_Source__c: f('string', { maxLength: 80 }),
      Accord_Inactive__c: f('boolean'),
    },
  },
  {
    name: 'Lead',
    label: 'Lead',
    createable: true,
    updateable: true,
    deletable: true,
    fields: {
      ...audit,
      ...owner,
      FirstName: f('string', { maxLength: 40 }),
      LastName: f('string', { maxLength: 80 }),
      Name: ro('string'),
      Company: f('string', { maxLength: 255 }),
      Status: f('picklist'),
      // Set by lead conversion, which the emulator does not offer.
      IsConverted: ro('boolean'),
    },
  },
  {
    name: 'Opportunity',
    label: 'Opportunity',
    createable: true,
    updateable: true,
    deletable: true,
    fields: {
      ...audit,
      ...owner,
      Name: f('string', { maxLength: 120 }),
      StageName: f('picklist'),
      CloseDate: f('date'),
      Amount: f('double'),
      AccountId: ref('Account', 'Account'),
      // Derived from StageName, as the stage's metadata does in a real org.
      IsClosed: ro('boolean'),
      IsWon: ro('boolean'),
    },
  },
  {
    name: 'Case',
    label: 'Case',
    createable: true,
    updateable: true,
    deletable: true,
    fields: {
      ...audit,
      ...owner,
      CaseNumber: ro('string'),
      Subject: f('string', { maxLength: 255 }),
      Status: f('picklist'),
      IsClosed: ro('boolean'),
      AccountId: ref('Account', 'Account'),
      ContactId: ref('Contact', 'Contact'),
      Type: f('picklist'),
      Origin: f('picklist'),
      Priority: f('picklist'),
      Description: f('string', { maxLength: 32000 }),
    },
  },
  {
    name: 'Group',
    label: 'Group',
    createable: true,
    updateable: true,
    deletable: true,
    fields: {
      ...audit,
      Name: f('string', { maxLength: 40 }),
      DeveloperName: f('string', { maxLength: 80 }),
      Type: f('picklist', { update: false }),
    },
  },
  {
    name: 'QueueSobject',
    label: 'Queue Sobject',
    createable: true,
    updateable: false,
    deletable: true,
    fields: {
      Id: ro('id'),
      QueueId: ref('Group', 'Queue'),
      SobjectType: f('picklist'),
    },
  },
  {
    // A custom object of the demo org (UC-18): what `accord events pull` upserts login and admin
    // events into, keyed on its External ID field. Text fields are Text(255).
    name: 'Login_Event__c',
    label: 'Login Event',
    createable: true,
    updateable: true,
    deletable: true,
    fields: {
      ...audit,
      ...owner,
      // An Auto Number name (LE-00000001), set by the org.
      Name: ro('string'),
      Accord_Event_Id__c: f('string', { maxLength: 255, externalId: true }),
      Platform__c: f('string', { maxLength: 255 }),
      Source_Event_Id__c: f('string', { maxLength: 255 }),
      Source_Type__c: f('string', { maxLength: 255 }),
      Event_Type__c: f('string', { maxLength: 255 }),
      Event_Time__c: f('datetime'),
      Outcome__c: f('string', { maxLength: 255 }),
      Reason__c: f('string', { maxLength: 255 }),
      Actor__c: f('string', { maxLength: 255 }),
      Actor_Id__c: f('string', { maxLength: 255 }),
      Target__c: f('string', { maxLength: 255 }),
      Target_Id__c: f('string', { maxLength: 255 }),
      IP_Address__c: f('string', { maxLength: 255 }),
      User_Agent__c: f('string', { maxLength: 255 }),
      Message__c: f('string', { maxLength: 255 }),
    },
  },
];

export const OBJECTS: ReadonlyMap<string, SfObject> = new Map(
  objects.map((o) => [o.name, { ...o, prefix: KEY_PREFIX[o.name as keyof typeof KEY_PREFIX] }]),
);

const byLowerName = new Map([...OBJECTS.values()].map((o) => [o.name.toLowerCase(), o]));
const byPrefix = new Map([...OBJECTS.values()].map((o) => [o.prefix, o]));
const fieldIndex = new Map(
  [...OBJECTS.values()].map((o) => [o.name, new Map(Object.keys(o.fields).map((k) => [k.toLowerCase(), k]))]),
);

/** Object names are case-insensitive in URLs and attributes.type. */
export function objectNamed(name: string): SfObject | undefined {
  return byLowerName.get(name.toLowerCase());
}

export function objectOfId(id: string): SfObject | undefined {
  return byPrefix.get(id.slice(0, 3));
}

/** The canonical spelling of a field name, or undefined when the object has no such field. */
export function canonicalField(object: SfObject, name: string): string | undefined {
  return fieldIndex.get(object.name)?.get(name.toLowerCase());
}
