import { lifecycleOperationsFrom } from './store.js';
import type { OktaGroupRecord, OktaUserRecord } from './types.js';

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
  stats?: { usersCount: number },
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
              appsCount: 0,
              groupPushMappingsCount: 0,
              hasAdminPrivilege: false,
            },
          },
        }
      : {}),
  };
}
