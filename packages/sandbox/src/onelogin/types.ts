/**
 * The OneLogin API v2 resources as the emulator stores and serves them. Field names are the wire
 * names (snake_case, lower-case `firstname`), so a stored user is already its JSON body.
 */

/** `state`: 0 Unapproved, 1 Approved, 2 Rejected, 3 Unlicensed. */
export const USER_STATES = [0, 1, 2, 3] as const;
export type UserState = (typeof USER_STATES)[number];

/**
 * `status` (Go SDK constants): 0 Unactivated, 1 Active (the only one that can log in), 2 Suspended,
 * 3 Locked, 4 Password expired, 5 Awaiting password reset, 7 Password pending, 8 Security
 * questions required. There is no 6.
 */
export const USER_STATUSES = [0, 1, 2, 3, 4, 5, 7, 8] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const UserStatusCode = {
  Unactivated: 0,
  Active: 1,
  Suspended: 2,
  Locked: 3,
  PasswordExpired: 4,
  AwaitingPasswordReset: 5,
  PasswordPending: 7,
  SecurityQuestionsRequired: 8,
} as const satisfies Record<string, UserStatus>;

export const UserStateCode = {
  Unapproved: 0,
  Approved: 1,
  Rejected: 2,
  Unlicensed: 3,
} as const satisfies Record<string, UserState>;

export interface OneLoginUser {
  id: number;
  username: string | null;
  email: string | null;
  firstname: string | null;
  lastname: string | null;
  title: string | null;
  department: string | null;
  company: string | null;
  comment: string | null;
  phone: string | null;
  state: UserState;
  status: UserStatus;
  group_id: number | null;
  /** Derived from role membership; kept sorted. The roles endpoints are the only way to change it. */
  role_ids: number[];
  directory_id: number | null;
  trusted_idp_id: number | null;
  manager_user_id: number | null;
  manager_ad_id: number | null;
  external_id: string | null;
  samaccountname: string | null;
  userprincipalname: string | null;
  distinguished_name: string | null;
  member_of: string | null;
  custom_attributes: Record<string, string | null>;
  invalid_login_attempts: number;
  locked_until: string | null;
  preferred_locale_code: string | null;
  activated_at: string | null;
  created_at: string;
  updated_at: string;
  password_changed_at: string | null;
  invitation_sent_at: string | null;
  last_login: string | null;
}

/**
 * A user record with every field OneLogin returns, the directory and AD ones empty: seeding and
 * `POST /api/2/users` both start here and set only what they know.
 */
export function newUser(
  fields: Pick<OneLoginUser, 'id' | 'username' | 'email' | 'state' | 'status' | 'created_at'> &
    Partial<OneLoginUser>,
): OneLoginUser {
  return {
    firstname: null,
    lastname: null,
    title: null,
    department: null,
    company: null,
    comment: null,
    phone: null,
    group_id: null,
    role_ids: [],
    directory_id: null,
    trusted_idp_id: null,
    manager_user_id: null,
    manager_ad_id: null,
    external_id: null,
    samaccountname: null,
    userprincipalname: null,
    distinguished_name: null,
    member_of: null,
    custom_attributes: {},
    invalid_login_attempts: 0,
    locked_until: null,
    preferred_locale_code: null,
    activated_at: null,
    updated_at: fields.created_at,
    password_changed_at: null,
    invitation_sent_at: null,
    last_login: null,
    ...fields,
  };
}

export interface OneLoginRole {
  id: number;
  name: string;
  apps: number[];
  admins: number[];
}

/** Who added a user to a role, as `GET /api/2/roles/:id/users` reports it. */
export interface AddedBy {
  id: number;
  name: string;
}

export interface RoleMembership {
  user_id: number;
  added_at: string;
  added_by: AddedBy | null;
}

/** One row of `GET /api/2/roles/:id/users`. */
export interface OneLoginRoleUser {
  id: number;
  name: string;
  username: string | null;
  added_by: AddedBy | null;
  added_at: string | null;
  assigned: boolean;
}

/**
 * An app as `GET /api/2/apps` lists it (the fields the emulator models). `auth_method` codes:
 * 0 Password, 1 OpenId, 2 SAML, 3 API, 4 Google, 6 Forms based, 7 WS-Fed, 8 OpenId Connect.
 */
export interface OneLoginApp {
  id: number;
  connector_id: number;
  name: string;
  description: string;
  visible: boolean;
  auth_method: number;
  created_at: string;
  updated_at: string;
}

/** One row of `GET /api/2/apps/:id/users`. */
export interface OneLoginAppUser {
  id: number;
  firstname: string | null;
  lastname: string | null;
  email: string | null;
  username: string | null;
}
