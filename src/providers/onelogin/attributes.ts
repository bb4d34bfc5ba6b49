import type { Attributes } from '../../model/snapshot.js';
import { CREATE_STATUS } from './status.js';

/**
 * OneLogin user fields to accord's neutral attribute names (model/snapshot.ts) and back.
 * Neutral names with no OneLogin field live in `custom_attributes` under a shortname; the
 * lower-case shortnames are what OneLogin admins usually create (the docs' example user has
 * `employeenumber`).
 */

/** Neutral name → OneLogin standard field. */
const STANDARD: Record<string, string> = {
  login: 'username',
  email: 'email',
  firstName: 'firstname',
  lastName: 'lastname',
  department: 'department',
  title: 'title',
  company: 'company',
  phone: 'phone',
};

/**
 * The user fields a snapshot reads (`fields=`): the standard ones `attributesOf` maps and what else
 * it needs, so a 100k-user list carries nothing else.
 */
export const USER_FIELDS: readonly string[] = [
  'id',
  ...Object.values(STANDARD),
  'status',
  'state',
  'manager_user_id',
  'custom_attributes',
  'updated_at',
];

/** Read besides `USER_FIELDS` when MFA devices are (UC-17): where the grace for enrolling starts. */
export const USER_GRACE_FIELDS: readonly string[] = ['activated_at', 'created_at'];

export interface WireUser {
  id: number;
  username: string | null;
  email: string | null;
  firstname?: string | null;
  lastname?: string | null;
  title?: string | null;
  department?: string | null;
  company?: string | null;
  phone?: string | null;
  status: number;
  state: number;
  manager_user_id?: number | null;
  custom_attributes?: Record<string, string | null> | null;
  updated_at?: string | null;
  /** Read only for MFA (UC-17's grace start): `USER_GRACE_FIELDS`. */
  activated_at?: string | null;
  created_at?: string | null;
  role_ids?: number[];
}

/** Neutral name → custom attribute shortnames that carry it, the first being the one written. */
const CUSTOM: Record<string, string[]> = {
  employeeNumber: ['employeenumber', 'employee_number', 'employeeNumber'],
  userType: ['usertype', 'user_type', 'userType'],
  division: ['division'],
  city: ['city'],
  country: ['country'],
};
const CUSTOM_SHORTNAMES = new Set(Object.values(CUSTOM).flat());

/** OneLogin fields sent as they are when a change names them by their wire name. */
const WIRE_FIELDS = new Set([
  ...Object.values(STANDARD),
  'comment',
  'external_id',
  'samaccountname',
  'userprincipalname',
  'preferred_locale_code',
  'directory_id',
  'trusted_idp_id',
  'manager_ad_id',
  'status',
  'state',
  'manager_user_id',
]);

/** The neutral attributes of a OneLogin user; `managerLogin` turns `manager_user_id` into a username. */
export function attributesOf(user: WireUser, managerLogin: (id: number) => string | undefined): Attributes {
  const custom = user.custom_attributes ?? {};
  const attrs: Attributes = {};
  for (const [neutral, field] of Object.entries(STANDARD))
    attrs[neutral] = (user[field as keyof WireUser] as string | null | undefined) ?? null;
  const name = [user.firstname, user.lastname].filter(Boolean).join(' ');
  attrs.displayName = name || null;
  attrs.manager = user.manager_user_id != null ? (managerLogin(user.manager_user_id) ?? null) : null;
  for (const [neutral, shortnames] of Object.entries(CUSTOM)) {
    const key = shortnames.find((s) => custom[s] !== undefined);
    attrs[neutral] = key === undefined ? null : (custom[key] ?? null);
  }
  for (const [key, value] of Object.entries(custom))
    if (!CUSTOM_SHORTNAMES.has(key) && !(key in attrs)) attrs[key] = value ?? null;
  return attrs;
}

export interface WireBody {
  body: Record<string, unknown>;
  /** Manager username to resolve into `manager_user_id` (null clears it). */
  manager?: string | null;
}

/**
 * The create/update body for fields named either way: neutral (`firstName`, `employeeNumber`,
 * `manager`) or OneLogin's own (`firstname`, `custom_attributes`). `displayName` is derived from the
 * names in OneLogin and has no field to write, so it is left out; any other name is taken as a
 * custom attribute shortname.
 */
export function wireBody(fields: Record<string, unknown>): WireBody {
  const body: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  let manager: string | null | undefined;
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'displayName' || value === undefined) continue;
    if (key === 'manager') manager = value === null ? null : String(value);
    else if (key === 'status' && typeof value === 'string') {
      Object.assign(body, CREATE_STATUS[value as keyof typeof CREATE_STATUS] ?? {});
    } else if (key === 'custom_attributes' && value && typeof value === 'object')
      Object.assign(custom, value);
    else if (STANDARD[key]) body[STANDARD[key]] = value;
    else if (WIRE_FIELDS.has(key)) body[key] = value;
    else custom[CUSTOM[key]?.[0] ?? key] = value === null ? null : String(value);
  }
  if (Object.keys(custom).length) body.custom_attributes = custom;
  return manager === undefined ? { body } : { body, manager };
}
