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
}
