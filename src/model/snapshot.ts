/**
 * Platform-neutral snapshots: what accord read from each platform. Providers produce them, compile
 * and plan consume them. Only what policy references is read (see SnapshotScope), so a snapshot is
 * a partial view of a tenant by design.
 */
import type { IdpId } from '../policy/types.js';

// Declared once, in the policy language (which imports nothing, for the schema generator).
export type { IdpId };
/** 'okta', 'onelogin' or 'salesforce:<org>'. */
export type PlatformId = IdpId | `salesforce:${string}`;

export const salesforcePlatform = (org: string): PlatformId => `salesforce:${org}`;
export const orgOf = (platform: PlatformId): string | undefined =>
  platform.startsWith('salesforce:') ? platform.slice('salesforce:'.length) : undefined;

/**
 * Lifecycle state of an IdP account, normalised across Okta statuses and OneLogin status codes.
 * `provisioned`: activated by an admin, waiting for the person to set a password (Okta
 * PROVISIONED, OneLogin 7); `staged`: created but never activated.
 */
export type AccountStatus = 'active' | 'provisioned' | 'staged' | 'suspended' | 'locked' | 'deprovisioned';

/**
 * Person attributes under their neutral names (the names policy templates and conditions use):
 * login, email, firstName, lastName, displayName, employeeNumber, department, title, division,
 * manager (the manager's login), phone, city, country, userType, plus custom attributes by name.
 */
export type Attributes = Record<string, string | null>;

export interface IdpAccount {
  /** The platform's id (Okta `00u...`, OneLogin numeric id as a string). */
  id: string;
  /** Okta login / OneLogin username: the account's natural key. */
  login: string;
  email: string;
  status: AccountStatus;
  /** The platform's own status, for display (`DEPROVISIONED`, `2`). */
  rawStatus: string;
  attributes: Attributes;
  /** ISO time of the last change, where the platform says. */
  lastUpdated?: string;
}

/** An Okta group or a OneLogin role. */
export interface IdpGroup {
  id: string;
  name: string;
  /** Only `managed` groups can have members added or removed through the API. */
  kind: 'managed' | 'app' | 'builtin';
  /** Account ids of the members. */
  memberIds: string[];
}

/** An application and who is assigned to it (directly, or through a group or role). */
export interface IdpApp {
  id: string;
  /** The label people see (Okta `label`, OneLogin `name`). */
  label: string;
  /** Account ids of the users assigned. */
  memberIds: string[];
}

export interface IdpSnapshot {
  platform: IdpId;
  accounts: IdpAccount[];
  /** The groups (Okta) or roles (OneLogin) the scope asked for that exist. */
  groups: IdpGroup[];
  /** Names asked for that do not exist in the tenant. */
  missingGroups: string[];
  /** The apps the scope asked for that exist (absent: none asked for). */
  apps?: IdpApp[];
  /** App labels asked for that no app has. */
  missingApps?: string[];
  /**
   * MFA factors by account id (UC-17), for the accounts that can sign in (not staged, not
   * deprovisioned); absent when the scope did not ask (`SnapshotScope.oktaFactors`,
   * `oneloginFactors`).
   */
  factors?: Record<string, AccountFactors>;
  fetchedAt: string;
}

/** What accord knows of one account's MFA factors (UC-17). */
export interface AccountFactors {
  /** Types of the account's ACTIVE factors (`push`, `token:software:totp`, ...), sorted; empty: none. */
  active: string[];
  /** When the grace period for enrolling started: the account's activation, else its creation (ISO). */
  graceFrom: string | null;
}

export interface SalesforceUser {
  id: string;
  username: string;
  email: string;
  firstName: string | null;
  lastName: string;
  alias: string;
  federationId: string | null;
  employeeNumber: string | null;
  isActive: boolean;
  /** From UserLogin.IsFrozen. */
  frozen: boolean;
  profileId: string;
  profile: string;
  /** Name of the profile's user license. */
  license: string;
  roleId: string | null;
  role: string | null;
  managerId: string | null;
  /** Other User fields accord may own (Department, Title, Phone, City, ...), by API name. */
  fields: Record<string, string | null>;
}

export interface SalesforceAssignment {
  id: string;
  userId: string;
  /** Set for permission set assignments (never profile-owned sets). */
  permissionSet?: string;
  /** Set for permission set group assignments. */
  permissionSetGroup?: string;
}

export interface SalesforceSnapshot {
  platform: `salesforce:${string}`;
  org: string;
  users: SalesforceUser[];
  profiles: { id: string; name: string; license: string }[];
  /** Roles by Name, with the DeveloperName grants may use instead. */
  roles: { id: string; name: string; developerName?: string | null }[];
  permissionSets: { id: string; name: string; label: string; license: string | null }[];
  permissionSetGroups: { id: string; developerName: string; label: string }[];
  assignments: SalesforceAssignment[];
  licenses: { id: string; name: string; total: number; used: number }[];
  /** Absent when not read: the policy transfers records to no queue (`SnapshotScope.salesforceQueues`). */
  queues?: { id: string; name: string }[];
  /** Absent when not read: the org declares no contacts (`SnapshotScope.salesforceContacts`). */
  contacts?: SalesforceContact[];
  /** The Accounts contacts may go under; absent with `contacts`. */
  accounts?: SalesforceRecordValues[];
  /** Open Cases of the types conditions name (UC-16); absent when none is named for the org. */
  cases?: SalesforceCase[];
  fetchedAt: string;
}

/** A record's id and the fields accord read of it, by API name. */
export interface SalesforceRecordValues {
  id: string;
  fields: Record<string, string | boolean | null>;
}

/** An open Case (UC-16): its type, subject and the email of the Contact it names. */
export interface SalesforceCase {
  id: string;
  type: string;
  subject: string | null;
  /** Contact.Email of the Case's Contact; null without one. */
  contactEmail: string | null;
}

/** A Contact accord keys by external id (UC-14, UC-15). */
export interface SalesforceContact extends SalesforceRecordValues {
  accountId: string | null;
}

/** What one org's contact declarations need read: the fields, and the External ID fields that mark accord's Contacts. */
export interface ContactReadScope {
  contactFields: string[];
  externalIdFields: string[];
  accountFields: string[];
}

export type Snapshot = IdpSnapshot | SalesforceSnapshot;

export interface Snapshots {
  okta?: IdpSnapshot;
  onelogin?: IdpSnapshot;
  salesforce: Record<string, SalesforceSnapshot>;
  /**
   * Fingerprints (model/fingerprint.ts) the snapshot stage took as each platform's read completed,
   * while the others were still reading. Snapshots are never changed after that.
   */
  fingerprints?: Partial<Record<PlatformId, string>>;
  /**
   * How each platform was read when the snapshot cache was in use (providers/snapshot-cache.ts):
   * `incremental` built on the cache, `full` read everything (`fallback` says why, when a cache
   * was asked for). Absent: no cache was used.
   */
  reads?: Partial<Record<PlatformId, { mode: 'full' | 'incremental'; fallback?: string }>>;
}

/** What to read: only what the policy references. */
export interface SnapshotScope {
  /** Okta group names to read with their members. */
  oktaGroups: string[];
  /** OneLogin role names to read with their users. */
  oneloginRoles: string[];
  /**
   * Read every Okta group and every OneLogin role with its members, named or not (one list call
   * each first): `accord import` looks for the ones that explain who holds what. Absent: only the
   * named ones.
   */
  allGroups?: boolean;
  /**
   * App labels to read with their assigned users, per IdP: only the directories that own people,
   * since an app condition is judged on the person's own account. Absent: none.
   */
  oktaApps?: string[];
  oneloginApps?: string[];
  /** Read deprovisioned accounts too (needed to offboard people who left). */
  includeDeprovisioned: boolean;
  /** Read the MFA factors of Okta accounts (UC-17): only when an `mfa` condition judges Okta people. Absent: no. */
  oktaFactors?: boolean;
  /** Read the MFA devices of OneLogin accounts (UC-17): only when an `mfa` condition judges OneLogin people. Absent: no. */
  oneloginFactors?: boolean;
  /** User fields to read from Salesforce beyond the ones accord always compares. */
  salesforceFields: string[];
  /** Read Salesforce queues: only a record transfer to a queue needs them. Absent: no. */
  salesforceQueues?: boolean;
  /** Contacts and Accounts to read, by org key: only orgs that declare contacts. Absent: none. */
  salesforceContacts?: Record<string, ContactReadScope>;
  /** Case types to read open Cases of, by org key (UC-16): only orgs a `salesforceCase` condition names. Absent: none. */
  salesforceCases?: Record<string, string[]>;
}
