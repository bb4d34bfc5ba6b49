import pLimit from 'p-limit';
import type { IdpAccount, IdpApp, IdpGroup, IdpSnapshot, SnapshotScope } from '../../model/snapshot.js';
import type { Progress } from '../provider.js';
import { chunk } from '../http/chunk.js';
import { toIdpAccount, toIdpGroup, type OktaGroupLike, type OktaUserLike } from './map-user.js';
import { readFailure } from './okta-errors.js';
import type { OktaSession } from './okta-session.js';

/**
 * Reads what the scope names and nothing more: every user (two lists when deprovisioned users
 * matter, since a plain list leaves them out), the referenced groups, and their members.
 *
 * API calls, all at the largest page size (plus one token request in OAuth mode):
 *   users:          max(1, ceil(users not deprovisioned / 200))
 *   deprovisioned:  max(1, ceil(deprovisioned / 200)), only with `includeDeprovisioned`
 *   group lookup:   ceil(names / 20) searches (`profile.name eq "A" or ...`, limit 10000), none without names
 *   members:        max(1, ceil(members / 1000)) per group found
 *   app lookup:     max(1, ceil(apps whose name or label starts with it / 200)) per app label
 *   app users:      max(1, ceil(assigned users / 500)) per app found
 *
 * Finding groups by a name search costs the same one call as listing every group while the org has
 * fewer than 10,000 groups, and stays at one call per 20 names beyond that, with far smaller pages.
 * Okta documents search results as eventually consistent: a group created seconds ago may not be
 * found yet, and is then reported missing (the next plan corrects that).
 */

export const USERS_PAGE = 200;
export const GROUPS_PAGE = 10_000;
export const MEMBERS_PAGE = 1000;
export const APPS_PAGE = 200;
export const APP_USERS_PAGE = 500;
/** Names per group search, keeping the query string well under URL length limits. */
export const NAMES_PER_SEARCH = 20;
/** Concurrent reads; each also waits on its endpoint family's rate budget. */
export const READ_CONCURRENCY = 4;

/** What a snapshot leaves for apply: ids by natural key, so changes need no look-ups. */
export interface OktaDirectoryCache {
  userIdByLogin: Map<string, string>;
  statusById: Map<string, string>;
  groupByName: Map<string, { id: string; type: string }>;
  /** Lower-cased names the last snapshot looked for and did not find. */
  missingGroups: Set<string>;
}

export const emptyCache = (): OktaDirectoryCache => ({
  userIdByLogin: new Map(),
  statusById: new Map(),
  groupByName: new Map(),
  missingGroups: new Set(),
});

export const nameKey = (name: string): string => name.trim().toLowerCase();

/** A string literal for Okta's filter and search expressions. */
export const quote = (value: string): string => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;

export async function readSnapshot(
  session: OktaSession,
  scope: SnapshotScope,
  progress: Progress | undefined,
  cache: OktaDirectoryCache,
): Promise<IdpSnapshot> {
  try {
    await session.signIn();
  } catch (error) {
    throw readFailure(error, 'an access token', session.errorContext);
  }
  const limit = pLimit(READ_CONCURRENCY);
  const { userApi, groupApi, applicationApi } = session.client;
  /** One list, all pages, reporting progress per page; any failure becomes one AccordError. */
  const read = async <T>(
    phase: string,
    bucket: Parameters<OktaSession['list']>[0],
    open: Parameters<OktaSession['list']>[1],
  ): Promise<T[]> => {
    let pages = 0;
    let records = 0;
    try {
      const items = await limit(() =>
        session.list<T>(bucket, open, (page, n) => {
          pages = n;
          records += page.length;
          progress?.({ platform: 'okta', phase, pages, records });
        }),
      );
      progress?.({ platform: 'okta', phase, pages, records, done: true });
      return items;
    } catch (error) {
      throw readFailure(error, phase, session.errorContext);
    }
  };

  const named = [...new Map(scope.oktaGroups.map((n) => [nameKey(n), n])).values()];
  const usersRead = read<OktaUserLike>('users', 'users', () => userApi.listUsers({ limit: USERS_PAGE }));
  const deprovisionedRead = scope.includeDeprovisioned
    ? read<OktaUserLike>('deprovisioned users', 'users', () =>
        userApi.listUsers({ search: 'status eq "DEPROVISIONED"', limit: USERS_PAGE }),
      )
    : Promise.resolve([]);
  // `allGroups` (accord import): one plain list of every group instead of searches by name.
  const groupsRead = scope.allGroups
    ? read<OktaGroupLike>('groups', 'groups', () => groupApi.listGroups({ limit: GROUPS_PAGE }))
    : Promise.all(
        chunk(named, NAMES_PER_SEARCH).map((names) =>
          read<OktaGroupLike>('groups', 'groups', () =>
            groupApi.listGroups({
              search: names.map((n) => `profile.name eq ${quote(n)}`).join(' or '),
              limit: GROUPS_PAGE,
            }),
          ),
        ),
      ).then((lists) => lists.flat());

  const groupsWithMembers = groupsRead.then((found) => {
    const wanted = scope.allGroups
      ? [
          ...new Map(
            [...named, ...found.flatMap((g) => g.profile?.name ?? [])].map((n) => [nameKey(n), n]),
          ).values(),
        ]
      : named;
    const byName = new Map<string, OktaGroupLike>();
    for (const g of found) {
      const name = g.profile?.name;
      // Search compares case-insensitively; an exact match wins over one that differs in case.
      if (name && (!byName.has(nameKey(name)) || wanted.includes(name))) byName.set(nameKey(name), g);
    }
    const present = wanted.flatMap((n) => {
      const g = byName.get(nameKey(n));
      return g ? [g] : [];
    });
    const missing = wanted.filter((n) => !byName.has(nameKey(n)));
    return Promise.all(
      present.map(async (g) => {
        const members = await read<OktaUserLike>(
          `members of ${g.profile?.name ?? g.id}`,
          'group-members',
          () => groupApi.listGroupUsers({ groupId: g.id!, limit: MEMBERS_PAGE }),
        );
        return { group: g, memberIds: members.map((m) => m.id ?? '').filter(Boolean) };
      }),
    ).then((groups) => ({ groups, missing }));
  });

  // Okta has no exact-label filter: `q` is a prefix search over name and label, so the exact
  // label is picked from its answers. Labels need not be unique; every app that has it counts.
  const appsRead = Promise.all(
    [...new Map((scope.oktaApps ?? []).map((l) => [nameKey(l), l])).values()].map(async (label) => {
      const found = await read<OktaAppLike>(`app ${label}`, 'apps', () =>
        applicationApi.listApplications({ q: label, limit: APPS_PAGE }),
      );
      const exact = found.filter((app) => app.id && nameKey(app.label ?? '') === nameKey(label));
      return Promise.all(
        exact.map(async (app): Promise<IdpApp> => {
          const users = await read<{ id?: string }>(`users of app ${label}`, 'apps', () =>
            applicationApi.listApplicationUsers({ appId: app.id!, limit: APP_USERS_PAGE }),
          );
          return { id: app.id!, label, memberIds: users.map((u) => u.id ?? '').filter(Boolean) };
        }),
      ).then((apps) => ({ label, apps }));
    }),
  );

  // Settle everything before failing, so no read is left running after the snapshot has thrown.
  const [users, deprovisioned, groupResult, appResult] = await settleAll([
    usersRead,
    deprovisionedRead,
    groupsWithMembers,
    appsRead,
  ]);

  const seen = new Set<string>();
  const raw = [...users, ...deprovisioned].filter((u) => {
    if (!u.id || seen.has(u.id)) return false;
    seen.add(u.id);
    return true;
  });
  const loginById = new Map<string, string>();
  for (const u of raw) if (typeof u.profile?.login === 'string') loginById.set(u.id!, u.profile.login);
  const accounts: IdpAccount[] = raw.map((u) => toIdpAccount(u, loginById));
  const groups: IdpGroup[] = groupResult.groups.map(({ group, memberIds }) => toIdpGroup(group, memberIds));

  cache.userIdByLogin.clear();
  cache.statusById.clear();
  for (const a of accounts) {
    cache.userIdByLogin.set(nameKey(a.login), a.id);
    cache.statusById.set(a.id, a.rawStatus);
  }
  cache.groupByName.clear();
  for (const { group } of groupResult.groups) {
    cache.groupByName.set(nameKey(group.profile?.name ?? ''), { id: group.id!, type: group.type ?? '' });
  }
  cache.missingGroups = new Set(groupResult.missing.map(nameKey));

  return {
    platform: 'okta',
    accounts,
    groups,
    missingGroups: groupResult.missing,
    ...(appResult.length > 0 && {
      apps: appResult.flatMap((r) => r.apps),
      missingApps: appResult.filter((r) => r.apps.length === 0).map((r) => r.label),
    }),
    fetchedAt: new Date().toISOString(),
  };
}

interface OktaAppLike {
  id?: string;
  label?: string;
}

/** Like Promise.all, but waits for every promise before rethrowing the first failure. */
async function settleAll<T extends readonly unknown[]>(promises: {
  [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
