import type { AccountStatus, Attributes, IdpAccount, IdpGroup } from '../../model/snapshot.js';

/**
 * Okta users and groups in accord's neutral shapes. The profile's standard fields get the neutral
 * attribute names policy uses; every other profile attribute keeps its Okta name.
 */

/** What the mapping reads of a user; the SDK's User class fits it. */
export interface OktaUserLike {
  id?: string;
  status?: string;
  lastUpdated?: Date | string;
  profile?: Record<string, unknown>;
}

export interface OktaGroupLike {
  id?: string;
  type?: string;
  profile?: { name?: string } & Record<string, unknown>;
}

/** An instant as Okta spells it (ISO 8601), from the SDK's Date or a string; undefined when it is none. */
export function isoTime(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return typeof value === 'string' && value !== '' && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

/** Profile values as JSON keeps them; an absent value stays a key (null), as the mapping reads it. */
const plainProfile = (profile: Record<string, unknown> | undefined): Record<string, unknown> =>
  JSON.parse(JSON.stringify(profile ?? {}, (_k, v: unknown) => (v === undefined ? null : v))) as Record<
    string,
    unknown
  >;

/**
 * What a read keeps of a user, taken as its page arrives: the SDK's User is a model object with
 * links, credentials and type, several kilobytes each, and holding 100,000 of them until the last
 * page was most of a first run's memory (issue 17). The same fields, and the same plain profile,
 * that the snapshot cache keeps (incremental.ts), so a cached user and a fresh one map alike.
 */
export function leanUser(user: OktaUserLike): OktaUserLike {
  const u = user as OktaUserLike & { activated?: unknown; created?: unknown };
  const lean: OktaUserLike & { activated?: string; created?: string } = {
    profile: plainProfile(u.profile),
  };
  if (u.id !== undefined) lean.id = u.id;
  if (u.status !== undefined) lean.status = u.status;
  const lastUpdated = isoTime(u.lastUpdated);
  if (lastUpdated) lean.lastUpdated = lastUpdated;
  const activated = isoTime(u.activated);
  if (activated) lean.activated = activated;
  const created = isoTime(u.created);
  if (created) lean.created = created;
  return lean;
}

const STATUS: Record<string, AccountStatus> = {
  ACTIVE: 'active',
  PASSWORD_EXPIRED: 'active',
  RECOVERY: 'active',
  STAGED: 'staged',
  PROVISIONED: 'provisioned',
  SUSPENDED: 'suspended',
  LOCKED_OUT: 'locked',
  DEPROVISIONED: 'deprovisioned',
};

/**
 * An unknown future status counts as staged: neither active (which would keep access flowing) nor
 * deprovisioned (which would start offboarding).
 */
export const accountStatus = (raw: string | undefined): AccountStatus => STATUS[raw ?? ''] ?? 'staged';

const GROUP_KIND: Record<string, IdpGroup['kind']> = {
  OKTA_GROUP: 'managed',
  APP_GROUP: 'app',
  BUILT_IN: 'builtin',
};

/** Unknown group types are treated as app groups: read-only to accord, like APP_GROUP. */
export const groupKind = (type: string | undefined): IdpGroup['kind'] => GROUP_KIND[type ?? ''] ?? 'app';

/** Okta profile fields that become a neutral attribute of another name. */
const RENAMED: Record<string, string> = {
  countryCode: 'country',
};
/** Neutral names present on every account, null when the profile lacks them. */
const NEUTRAL_FROM_PROFILE = [
  'firstName',
  'lastName',
  'displayName',
  'employeeNumber',
  'department',
  'title',
  'division',
  'city',
  'country',
  'userType',
];
/** Neutral names the mapping computes itself; a profile field of the same name doesn't override them. */
const DERIVED = new Set(['manager', 'phone']);

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value))
    return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(',');
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

const nonEmpty = (value: unknown): string | null => {
  const t = text(value);
  return t === null || t.trim() === '' ? null : t;
};

/**
 * Maps one user. `loginById` resolves `managerId` to the manager's login from the users already
 * read, so no call is made per manager.
 */
export function toIdpAccount(user: OktaUserLike, loginById: ReadonlyMap<string, string>): IdpAccount {
  const profile = user.profile ?? {};
  const attributes: Attributes = {};
  for (const [name, value] of Object.entries(profile)) {
    if (DERIVED.has(name)) continue;
    attributes[RENAMED[name] ?? name] = text(value);
  }
  const login = text(profile.login) ?? '';
  const email = text(profile.email) ?? '';
  attributes.login = login;
  attributes.email = email;
  const managerId = nonEmpty(profile.managerId);
  attributes.manager = (managerId ? loginById.get(managerId) : undefined) ?? nonEmpty(profile.manager);
  attributes.phone = nonEmpty(profile.mobilePhone) ?? nonEmpty(profile.primaryPhone);
  for (const name of NEUTRAL_FROM_PROFILE) attributes[name] ??= null;
  const rawStatus = user.status ?? '';
  const lastUpdated =
    user.lastUpdated instanceof Date ? user.lastUpdated.toISOString() : (user.lastUpdated ?? undefined);
  return {
    id: user.id ?? '',
    login,
    email,
    status: accountStatus(rawStatus),
    rawStatus,
    attributes,
    ...(lastUpdated ? { lastUpdated } : {}),
  };
}

export function toIdpGroup(group: OktaGroupLike, memberIds: string[]): IdpGroup {
  return {
    id: group.id ?? '',
    name: group.profile?.name ?? '',
    kind: groupKind(group.type),
    memberIds,
  };
}
