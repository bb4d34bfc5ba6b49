import pLimit from 'p-limit';
import type { IdpAccount, IdpApp, IdpGroup, IdpSnapshot, SnapshotScope } from '../../model/snapshot.js';
import type { Progress } from '../provider.js';
import { chunk } from '../http/chunk.js';
import { leanUser, toIdpAccount, toIdpGroup, type OktaGroupLike, type OktaUserLike } from './map-user.js';
import { readFactors } from './factors.js';
import { readFailure } from './okta-errors.js';
import type { OktaSession } from './okta-session.js';
import {
  canonicalOrder,
  deltaSince,
  EVERYONE,
  EVERYONE_NAME,
  incrementalDoubt,
  nextBase,
  reusableMembers,
  usersCountOf,
  type OktaSnapshotBase,
} from './incremental.js';

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
  return (await readOkta(session, scope, progress, cache)).snapshot;
}

/** A snapshot, how it was read, and what the next read may start from (absent: nothing safe). */
export interface OktaRead {
  snapshot: IdpSnapshot;
  mode: 'full' | 'incremental';
  /** Why a read that was offered a base read everything instead. */
  fallback?: string;
  base?: OktaSnapshotBase;
}

/**
 * Reads the org; with `base` (what the previous read left, see incremental.ts) only what moved:
 * users by `lastUpdated gt`, members of groups whose `lastMembershipUpdated` moved. Any doubt
 * reads everything (see `incrementalDoubt`).
 */
export async function readOkta(
  session: OktaSession,
  scope: SnapshotScope,
  progress: Progress | undefined,
  cache: OktaDirectoryCache,
  base?: OktaSnapshotBase,
): Promise<OktaRead> {
  const doubt = base ? incrementalDoubt(scope, base) : undefined;
  if (base && doubt === undefined) {
    const read = await readWith(session, scope, progress, cache, base);
    if (read.mode === 'incremental') return read;
    // An incremental read found a reason to doubt itself; the full read below decides.
    return { ...(await readWith(session, scope, progress, cache, undefined)), fallback: read.fallback! };
  }
  const read = await readWith(session, scope, progress, cache, undefined);
  return doubt ? { ...read, fallback: doubt } : read;
}

async function readWith(
  session: OktaSession,
  scope: SnapshotScope,
  progress: Progress | undefined,
  cache: OktaDirectoryCache,
  base: OktaSnapshotBase | undefined,
): Promise<OktaRead> {
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
    keep?: (item: T) => T,
  ): Promise<T[]> => {
    let pages = 0;
    let records = 0;
    try {
      const items = await limit(() =>
        session.list<T>(
          bucket,
          open,
          (page, n) => {
            pages = n;
            records += page.length;
            progress?.({ platform: 'okta', phase, pages, records });
          },
          keep,
        ),
      );
      progress?.({ platform: 'okta', phase, pages, records, done: true });
      return items;
    } catch (error) {
      throw readFailure(error, phase, session.errorContext);
    }
  };

  const named = [...new Map(scope.oktaGroups.map((n) => [nameKey(n), n])).values()];
  // Incremental: the built-in Everyone group rides along in the name search (with its member
  // count), and is read before the users, so a user deleted while this runs is never counted
  // as present.
  const searched = base && !named.some((n) => nameKey(n) === EVERYONE) ? [...named, EVERYONE_NAME] : named;
  // `allGroups` (accord import): one plain list of every group instead of searches by name.
  const groupsRead = scope.allGroups
    ? read<OktaGroupLike>('groups', 'groups', () => groupApi.listGroups({ limit: GROUPS_PAGE }))
    : Promise.all(
        chunk(searched, NAMES_PER_SEARCH).map((names) =>
          read<OktaGroupLike>('groups', 'groups', () =>
            groupApi.listGroups({
              search: names.map((n) => `profile.name eq ${quote(n)}`).join(' or '),
              limit: GROUPS_PAGE,
              ...(base ? { expand: 'stats' } : {}),
            }),
          ),
        ),
      ).then((lists) => lists.flat());
  if (base) await groupsRead.catch(() => undefined);

  const usersRead = base
    ? read<OktaUserLike>(
        'users changed',
        'users',
        () => userApi.listUsers({ filter: `lastUpdated gt ${quote(deltaSince(base))}`, limit: USERS_PAGE }),
        leanUser,
      )
    : read<OktaUserLike>('users', 'users', () => userApi.listUsers({ limit: USERS_PAGE }), leanUser);
  const deprovisionedRead =
    scope.includeDeprovisioned && !base
      ? read<OktaUserLike>(
          'deprovisioned users',
          'users',
          () => userApi.listUsers({ search: 'status eq "DEPROVISIONED"', limit: USERS_PAGE }),
          leanUser,
        )
      : Promise.resolve([]);

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
    const everyone = found.find((g) => g.type === 'BUILT_IN' && nameKey(g.profile?.name ?? '') === EVERYONE);
    return Promise.all(
      present.map(async (g) => {
        const reuse = base && reusableMembers(base, g);
        if (reuse) return { group: g, memberIds: reuse, reread: false };
        // Members come back as whole users; only their ids are kept, page by page.
        const members = await read<OktaUserLike>(
          `members of ${g.profile?.name ?? g.id}`,
          'group-members',
          () => groupApi.listGroupUsers({ groupId: g.id!, limit: MEMBERS_PAGE }),
          (m) => ({ id: m.id }),
        );
        return { group: g, memberIds: members.map((m) => m.id ?? '').filter(Boolean), reread: true };
      }),
    ).then((groups) => ({ groups, missing, everyoneCount: usersCountOf(everyone) }));
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
          const users = await read<{ id?: string }>(
            `users of app ${label}`,
            'apps',
            () => applicationApi.listApplicationUsers({ appId: app.id!, limit: APP_USERS_PAGE }),
            (u) => ({ id: u.id }),
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
  const fresh = [...users, ...deprovisioned].filter((u) => {
    if (!u.id || seen.has(u.id)) return false;
    seen.add(u.id);
    return true;
  });
  let raw: OktaUserLike[] = fresh;
  if (base) {
    const merged = new Map(base.users.map((u) => [u.id!, u as OktaUserLike]));
    for (const u of fresh) merged.set(u.id!, u);
    // A hard delete leaves no trace in a `lastUpdated` filter; Everyone holds every user, so a
    // deleted one shows as a count the merge does not reach.
    // The user at the cursor is inside the margin, so it comes back (newer, if edited since); a
    // delta with nothing at or past the cursor means the org's clock or data went back (a
    // restored or reseeded tenant): a gap no delta can bridge.
    const cursor = Date.parse(base.usersCursor);
    const reached = fresh.some((u) => {
      const at = u.lastUpdated instanceof Date ? u.lastUpdated.getTime() : Date.parse(u.lastUpdated ?? '');
      return at >= cursor;
    });
    const doubt = !reached
      ? `cursor gap: no user at or after ${base.usersCursor}`
      : groupResult.everyoneCount === undefined
        ? 'Everyone came back without its member count'
        : groupResult.everyoneCount !== merged.size
          ? `Everyone has ${groupResult.everyoneCount} users, the merged read ${merged.size}`
          : undefined;
    if (doubt) return { snapshot: undefined as unknown as IdpSnapshot, mode: 'full', fallback: doubt };
    raw = canonicalOrder([...merged.values()]);
  } else raw = canonicalOrder(raw);

  // Factors (UC-17) after the users, so every account they judge is known; see factors.ts.
  const factorRead = scope.oktaFactors
    ? await readFactors(session, raw, new Set(fresh.map((u) => u.id!)), base?.factors, progress)
    : undefined;

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

  const snapshot: IdpSnapshot = {
    platform: 'okta',
    accounts,
    groups,
    missingGroups: groupResult.missing,
    ...(appResult.length > 0 && {
      apps: appResult.flatMap((r) => r.apps),
      missingApps: appResult.filter((r) => r.apps.length === 0).map((r) => r.label),
    }),
    ...(factorRead && { factors: factorRead.factors }),
    fetchedAt: new Date().toISOString(),
  };
  const next = nextBase(scope, raw, groupResult.groups);
  if (next && factorRead) next.factors = factorRead.base;
  return { snapshot, mode: base ? 'incremental' : 'full', ...(next ? { base: next } : {}) };
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
