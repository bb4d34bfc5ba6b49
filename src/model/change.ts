import type { PlatformId } from './snapshot.js';

/**
 * A Change is the unit of a plan and what providers apply. It lives in model/ (not plan/) because
 * providers, an earlier stage, execute it.
 */
import type { ChangeAction } from './actions.js';

export type { ChangeAction };

/** What a change acts on; providers dispatch on `kind` and `action`. */
export type ChangeKind =
  /** An account: create, update (fields), freeze, suspend, activate, deactivate. */
  | 'account'
  /** Membership of an Okta group / OneLogin role: grant, revoke. */
  | 'membership'
  /** A managed Okta group / OneLogin role that does not exist yet: create. */
  | 'group'
  /** Salesforce permission set assignment: grant, revoke. */
  | 'permissionSet'
  /** Salesforce permission set group assignment: grant, revoke. */
  | 'permissionSetGroup'
  /** Open records of one Salesforce object owned by a user: transfer. */
  | 'records'
  /** A Salesforce Contact keyed by external id (UC-14, UC-15): create, update, activate, deactivate (never deleted). */
  | 'contact'
  /** A Salesforce Account record (a company, not a user account) that Contacts go under: create. */
  | 'crmAccount';

export interface Change {
  /** Stable: a hash of address and action. */
  id: string;
  /** e.g. `salesforce.prod.user["ana@acme.test"].permissionSet["Sales_Ops"]`. */
  address: string;
  platform: PlatformId;
  kind: ChangeKind;
  action: ChangeAction;
  /**
   * The account the change is about, by natural key (Okta login, OneLogin username, Salesforce
   * Username), with its live id when it exists already.
   */
  account: { key: string; id?: string };
  /**
   * The entitlement or object the change is about: a group/role name, a permission set Name, a
   * permission set group DeveloperName, or an sObject name (for `records`). Absent for account changes.
   */
  target?: { name: string; id?: string };
  /**
   * Values before and after, as plain JSON. For account create: every field to set. For account
   * update: only the changed fields. For transfer: `{ to: { user } | { queue } }`.
   */
  before: unknown;
  after: unknown;
  /** Ids of changes that must succeed first. */
  dependsOn: string[];
  /** Which rule and which fact caused it. */
  reason: { rule?: string; source: string };
  /** The person (source login) the change is for, when it is for one: audit, impact and state links. */
  person?: string;
}

export type ChangeStatus = 'applied' | 'failed' | 'skipped' | 'stale';

export interface ChangeResult {
  changeId: string;
  status: ChangeStatus;
  /** Live id of what was created (account or assignment), for state and dependents. */
  createdId?: string;
  /** One line, no secrets. */
  message?: string;
  /** e.g. records moved by a transfer. */
  detail?: Record<string, unknown>;
}
