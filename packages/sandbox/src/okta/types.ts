import type { OktaFactorRecord } from './factors.js';
import type { OktaLogEvent } from './system-log.js';

/** Records held by the Okta store: plain JSON, so `toJSON` is a copy and `fromJSON` rebuilds indexes. */

export const OKTA_USER_STATUSES = [
  'STAGED',
  'PROVISIONED',
  'ACTIVE',
  'RECOVERY',
  'LOCKED_OUT',
  'PASSWORD_EXPIRED',
  'SUSPENDED',
  'DEPROVISIONED',
] as const;
export type OktaUserStatus = (typeof OKTA_USER_STATUSES)[number];

export type OktaGroupType = 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';

export interface OktaUserProfile {
  login: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  /** Okta's profile allows additional properties (custom attributes). */
  [attribute: string]: unknown;
}

export interface OktaUserRecord {
  id: string;
  status: OktaUserStatus;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  typeId: string;
  profile: OktaUserProfile;
  /** Whether a password credential is set: decides ACTIVE vs PROVISIONED on activation. */
  hasPassword: boolean;
}

export interface OktaGroupProfile {
  name: string;
  description: string | null;
  [attribute: string]: unknown;
}

export interface OktaGroupRecord {
  id: string;
  type: OktaGroupType;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  profile: OktaGroupProfile;
  /** The app an APP_GROUP comes from. */
  sourceId: string | null;
}

/** A service app allowed to get access tokens with a signed client assertion (private_key_jwt). */
export interface OktaOAuthClient {
  clientId: string;
  /** Scopes the app was granted; a token request may ask for any subset. */
  scopes: string[];
  /** Public keys (JWK) that verify the client assertion. Empty: the signature is not checked. */
  publicKeys: Record<string, unknown>[];
}

export type OktaAppStatus = 'ACTIVE' | 'INACTIVE';

/** An app instance (Okta's Application, the fields the emulator models). */
export interface OktaAppRecord {
  id: string;
  /** The app's key in the catalog (`salesforce`, `slack`); several instances may share it. */
  name: string;
  /** What people see; not unique either. */
  label: string;
  status: OktaAppStatus;
  created: string;
  lastUpdated: string;
  /** `SAML_2_0`, `BOOKMARK`, ...: the SDK picks the Application subclass by it. */
  signOnMode: string;
}

/** A direct (scope USER) assignment of a user to an app. */
export interface OktaAppUserGrant {
  userId: string;
  created: string;
  lastUpdated: string;
}

/** An app assigned to a group: its members get the app with scope GROUP. */
export interface OktaAppGroupGrant {
  groupId: string;
  /** Order of the group assignments (Okta's `priority`, 0 first). */
  priority: number;
  created: string;
  lastUpdated: string;
}

/** An app as persisted, with its assignments. */
export interface OktaAppData extends OktaAppRecord {
  users: OktaAppUserGrant[];
  groups: OktaAppGroupGrant[];
}

export interface OktaStoreSettings {
  /**
   * Status after activating a user who has no password. UNCONFIRMED: the reference says
   * PROVISIONED "or ACTIVE, depending on the enrollment policy"; PROVISIONED is the default here.
   */
  activateWithoutPassword: 'PROVISIONED' | 'ACTIVE';
}

export interface OktaStoreData {
  version: 1;
  /** Salt of the id generator (the company seed). */
  salt: number;
  nextSeq: number;
  settings: OktaStoreSettings;
  userTypeId: string;
  users: OktaUserRecord[];
  groups: OktaGroupRecord[];
  /** Member user ids by group id. */
  members: Record<string, string[]>;
  oauthClients: OktaOAuthClient[];
  /** Absent in data saved before apps were modelled: such data loads with no apps. */
  apps?: OktaAppData[];
  /** Next sequence number of the app id generator (see `APP_SEQ_BASE`). */
  nextAppSeq?: number;
  /** The System Log; absent in data saved before it was modelled (that data loads with none). */
  systemLog?: { events: OktaLogEvent[]; nextSeq: number };
  /** MFA factors (UC-17); absent in data saved before they were modelled (none). */
  factors?: { factors: OktaFactorRecord[]; seq: number };
}
