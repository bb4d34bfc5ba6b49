import type { AppAssignment } from './apps.js';
import { lifecycleOperationsFrom } from './store.js';
import type { OktaAppRecord, OktaGroupRecord, OktaUserRecord } from './types.js';

/**
 * API shapes of the stored records. `_links.self.href` is exactly base URL + path: the SDK's cache
 * stores GET responses under it and invalidates by request path (reference 1.1, "Cache").
 */

const USER_TOP_LEVEL = new Set([
  'id',
  'status',
  'created',
  'activated',
  'statusChanged',
  'lastLogin',
  'lastUpdated',
  'passwordChanged',
]);

/** Reads an attribute as the filter and search expressions name it. */
export function readUser(user: OktaUserRecord, attribute: string): unknown {
  if (attribute === 'type.id') return user.typeId;
  if (attribute.startsWith('profile.')) return user.profile[attribute.slice('profile.'.length)];
  return USER_TOP_LEVEL.has(attribute) ? user[attribute as keyof OktaUserRecord] : undefined;
}

export function readGroup(group: OktaGroupRecord, attribute: string): unknown {
  if (attribute === 'source.id') return group.sourceId;
  if (attribute.startsWith('profile.')) return group.profile[attribute.slice('profile.'.length)];
  switch (attribute) {
    case 'id':
    case 'type':
    case 'created':
    case 'lastUpdated':
    case 'lastMembershipUpdated':
      return group[attribute];
    default:
      return undefined;
  }
}

export function readApp(app: OktaAppRecord, attribute: string): unknown {
  switch (attribute) {
    case 'id':
    case 'name':
    case 'status':
      return app[attribute];
    default:
      return undefined;
  }
}

export function userBody(user: OktaUserRecord, baseUrl: string): Record<string, unknown> {
  const self = `${baseUrl}/api/v1/users/${user.id}`;
  const links: Record<string, unknown> = {
    self: { href: self },
    type: { href: `${baseUrl}/api/v1/meta/types/user/${user.typeId}` },
    schema: { href: `${baseUrl}/api/v1/meta/schemas/user/${user.typeId}` },
  };
  // Okta advertises the lifecycle operations the current status allows.
  for (const op of lifecycleOperationsFrom(user.status)) {
    links[op] = { href: `${self}/lifecycle/${op}`, method: 'POST' };
  }
  return {
    id: user.id,
    status: user.status,
    created: user.created,
    activated: user.activated,
    statusChanged: user.statusChanged,
    lastLogin: user.lastLogin,
    lastUpdated: user.lastUpdated,
    passwordChanged: user.passwordChanged,
    type: { id: user.typeId },
    profile: { ...user.profile },
    credentials: {
      ...(user.hasPassword ? { password: {} } : {}),
      provider: { type: 'OKTA', name: 'OKTA' },
    },
    _links: links,
  };
}

export function groupBody(
  group: OktaGroupRecord,
  baseUrl: string,
  stats?: { usersCount: number; appsCount: number },
): Record<string, unknown> {
  const self = `${baseUrl}/api/v1/groups/${group.id}`;
  return {
    id: group.id,
    created: group.created,
    lastUpdated: group.lastUpdated,
    lastMembershipUpdated: group.lastMembershipUpdated,
    objectClass: [group.type === 'APP_GROUP' ? 'okta:windows_security_principal' : 'okta:user_group'],
    type: group.type,
    profile: { ...group.profile },
    ...(group.sourceId
      ? {
          source: {
            id: group.sourceId,
            _links: { self: { href: `${baseUrl}/api/v1/apps/${group.sourceId}` } },
          },
        }
      : {}),
    _links: {
      self: { href: self },
      logo: [
        {
          name: 'medium',
          href: `${baseUrl}/assets/img/logos/groups/okta-medium.png`,
          type: 'image/png',
        },
      ],
      users: { href: `${self}/users` },
      apps: { href: `${self}/apps` },
    },
    ...(stats
      ? {
          _embedded: {
            stats: {
              usersCount: stats.usersCount,
              appsCount: stats.appsCount,
              groupPushMappingsCount: 0,
              hasAdminPrivilege: false,
            },
          },
        }
      : {}),
  };
}

/**
 * An Application. Okta sends many more settings per sign-on mode; these are the common fields,
 * with `accessibility` and `visibility` at their defaults (the SDK reads them all as optional).
 */
export function appBody(app: OktaAppRecord, baseUrl: string): Record<string, unknown> {
  const self = `${baseUrl}/api/v1/apps/${app.id}`;
  const lifecycle = app.status === 'ACTIVE' ? 'deactivate' : 'activate';
  return {
    id: app.id,
    name: app.name,
    label: app.label,
    status: app.status,
    created: app.created,
    lastUpdated: app.lastUpdated,
    accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
    visibility: {
      autoLaunch: false,
      autoSubmitToolbar: false,
      hide: { iOS: false, web: false },
      appLinks: {},
    },
    features: [],
    signOnMode: app.signOnMode,
    _links: {
      self: { href: self },
      users: { href: `${self}/users` },
      groups: { href: `${self}/groups` },
      logo: [{ name: 'medium', href: `${baseUrl}/assets/img/logos/default.png`, type: 'image/png' }],
      [lifecycle]: { href: `${self}/lifecycle/${lifecycle}`, method: 'POST' },
    },
  };
}

/**
 * An AppUser: the user's id, how they got the app (`scope`), and the app username (the login).
 * No provisioning is modelled: status ACTIVE, syncState DISABLED, an empty app profile.
 */
export function appUserBody(
  appId: string,
  a: AppAssignment,
  baseUrl: string,
  embedUser: boolean,
): Record<string, unknown> {
  return {
    id: a.id,
    externalId: null,
    created: a.created,
    lastUpdated: a.lastUpdated,
    scope: a.scope,
    status: 'ACTIVE',
    statusChanged: a.created,
    passwordChanged: null,
    syncState: 'DISABLED',
    credentials: { userName: a.user.profile.login },
    profile: {},
    ...(embedUser ? { _embedded: { user: userBody(a.user, baseUrl) } } : {}),
    _links: {
      app: { href: `${baseUrl}/api/v1/apps/${appId}` },
      user: { href: `${baseUrl}/api/v1/users/${a.id}` },
      ...(a.group
        ? { group: { name: a.group.profile.name, href: `${baseUrl}/api/v1/groups/${a.group.id}` } }
        : {}),
    },
  };
}

/** One row of `GET /api/v1/apps/:appId/groups` (an ApplicationGroupAssignment). */
export function appGroupBody(
  appId: string,
  grant: { groupId: string; priority: number; lastUpdated: string },
  baseUrl: string,
): Record<string, unknown> {
  return {
    id: grant.groupId,
    lastUpdated: grant.lastUpdated,
    priority: grant.priority,
    profile: {},
    _links: {
      app: { href: `${baseUrl}/api/v1/apps/${appId}` },
      group: { href: `${baseUrl}/api/v1/groups/${grant.groupId}` },
    },
  };
}
