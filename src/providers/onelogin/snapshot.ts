import pLimit from 'p-limit';
import type { IdpAccount, IdpApp, IdpGroup, IdpSnapshot, SnapshotScope } from '../../model/snapshot.js';
import type { Progress } from '../provider.js';
import type { EventPosition } from '../event-source.js';
import { attributesOf, USER_FIELDS, USER_GRACE_FIELDS, type WireUser } from './attributes.js';
import {
  APP_PAGE_SIZE,
  APP_USER_PAGE_SIZE,
  PLATFORM,
  ROLE_PAGE_SIZE,
  ROLE_USER_PAGE_SIZE,
  USER_PAGE_SIZE,
  type OneLoginClient,
} from './client.js';
import type { Directory } from './directory.js';
import { accountStatus, rawStatus } from './status.js';
import { readDevices } from './devices.js';
import { firstLine, pullEvents, type EventDelta } from './event-feed.js';
import {
  BASE_VERSION,
  byId,
  deltaSince,
  newestUpdate,
  type CachedRole,
  type OneLoginSnapshotBase,
} from './incremental.js';

/** Role-user lists read at once: enough to overlap latency, few enough to spare the hourly budget. */
const ROLE_CONCURRENCY = 4;

interface RoleRow {
  id: number;
  name: string;
}

/** A row of `GET /api/2/apps`: only what is read of it. */
interface AppRow {
  id: number;
  name: string;
}

interface RoleUserRow {
  id: number;
  assigned?: boolean;
}

/** Reads every page of a list, reporting each page as it arrives. */
async function readAll<T>(
  client: OneLoginClient,
  path: string,
  params: Record<string, string | number>,
  limit: number,
  phase: string,
  progress: Progress | undefined,
): Promise<T[]> {
  const items: T[] = [];
  let pages = 0;
  for await (const page of client.pages<T>(path, params, limit)) {
    for (const item of page) items.push(item);
    pages++;
    progress?.({ platform: PLATFORM, phase, pages, records: items.length });
  }
  progress?.({ platform: PLATFORM, phase, pages, records: items.length, done: true });
  return items;
}

/** Every user through OneLogin's `Total-Count` header: one call of one row. */
async function countUsers(client: OneLoginClient): Promise<number | undefined> {
  const { headers } = await client.request<unknown[]>('GET', 'api/2/users', {
    searchParams: { limit: 1, fields: 'id' },
  });
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'total-count');
  const value = key === undefined ? undefined : headers[key];
  const count = Number(Array.isArray(value) ? value[0] : value);
  return value !== undefined && Number.isSafeInteger(count) ? count : undefined;
}

/**
 * Every user row, leavers included (OneLogin can't filter on status/state, and offboarding needs
 * them): one list at the largest page size, or, on a usable `base`, only the users updated since
 * its cursor merged into it (incremental.ts), by id either way.
 */
async function readUserRows(
  client: OneLoginClient,
  progress: Progress | undefined,
  base: OneLoginSnapshotBase | undefined,
  scope: SnapshotScope,
): Promise<{
  rows: WireUser[];
  fresh: Set<number>;
  mode: 'full' | 'incremental';
  fallback?: string;
  /** The account's users went back past the cursor (a restore): nothing cached is to be trusted. */
  restored?: boolean;
}> {
  const fields = (scope.oneloginFactors ? [...USER_FIELDS, ...USER_GRACE_FIELDS] : USER_FIELDS).join(',');
  let fallback: string | undefined;
  let restored = false;
  if (base) {
    const fresh = await readAll<WireUser>(
      client,
      'api/2/users',
      { fields, updated_since: deltaSince(base) },
      USER_PAGE_SIZE,
      'users',
      progress,
    );
    const merged = new Map(base.users.map((u) => [u.id, u]));
    for (const u of fresh) merged.set(u.id, u);
    // The newest user read last time is inside the margin, so it comes back (newer, if edited
    // since, or gone, which the count then shows); nothing at or past the cursor means the
    // account's data went back: a gap no delta can bridge.
    const cursor = Date.parse(base.usersCursor);
    const reached = fresh.some((u) => typeof u.updated_at === 'string' && Date.parse(u.updated_at) >= cursor);
    if (!reached) {
      fallback = `cursor gap: no user at or after ${base.usersCursor}`;
      restored = true;
    } else {
      const total = await countUsers(client);
      if (total === undefined) fallback = 'OneLogin sent no Total-Count for users';
      else if (total !== merged.size)
        fallback = `OneLogin has ${total} users, the merged read ${merged.size}`;
    }
    if (fallback === undefined)
      return {
        rows: byId([...merged.values()]),
        fresh: new Set(fresh.map((u) => u.id)),
        mode: 'incremental',
      };
  }
  const rows = await readAll<WireUser>(client, 'api/2/users', { fields }, USER_PAGE_SIZE, 'users', progress);
  return {
    rows: byId(rows),
    fresh: new Set(rows.map((u) => u.id)),
    mode: 'full',
    ...(fallback !== undefined ? { fallback } : {}),
    ...(restored ? { restored } : {}),
  };
}

/** Accounts from user rows. Managers resolve against the same rows, so a manager costs no call. */
function toAccounts(users: WireUser[], directory: Directory, scope: SnapshotScope): IdpAccount[] {
  const loginById = new Map<number, string>();
  for (const u of users) {
    if (u.username) loginById.set(u.id, u.username);
    directory.rememberUser(u.username, u.id);
  }
  const accounts: IdpAccount[] = [];
  for (const u of users) {
    const status = accountStatus(u.status, u.state);
    if (status === 'deprovisioned' && !scope.includeDeprovisioned) continue;
    accounts.push({
      id: String(u.id),
      login: u.username ?? u.email ?? String(u.id),
      email: u.email ?? '',
      status,
      rawStatus: rawStatus(u.status, u.state),
      attributes: attributesOf(u, (id) => loginById.get(id)),
      ...(u.updated_at && { lastUpdated: u.updated_at }),
    });
  }
  return accounts;
}

/**
 * The roles the scope names. One name: one `name=` filtered call. More: the full list at 650 a
 * page, which is one call for up to 650 roles and so never costs more than a call per name until
 * an account has more than 650 × names roles.
 */
async function findRoles(
  client: OneLoginClient,
  names: string[],
  progress: Progress | undefined,
): Promise<RoleRow[]> {
  if (names.length === 0) return [];
  // `*` is a wildcard in the filter, so such a name is found in the full list instead.
  const params: Record<string, string> =
    names.length === 1 && !names[0]!.includes('*') ? { name: names[0]! } : {};
  const rows = await readAll<RoleRow>(client, 'api/2/roles', params, ROLE_PAGE_SIZE, 'roles', progress);
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return rows.filter((r) => wanted.has(r.name.toLowerCase()));
}

/**
 * The apps the scope names, with the users who have each (through a role or directly). Each label
 * is one `name=` filtered list (exact, case-insensitive; UNCONFIRMED, see the README), and a
 * label holding `*` reads the full list instead, since `*` is a wildcard there. App names need
 * not be unique: every app with the name counts.
 */
async function readApps(
  client: OneLoginClient,
  labels: string[],
  limit: ReturnType<typeof pLimit>,
  progress: Progress | undefined,
): Promise<{ apps: IdpApp[]; missing: string[] }> {
  const perLabel = await Promise.all(
    labels.map(async (label) => {
      const rows = await limit(() =>
        readAll<AppRow>(
          client,
          'api/2/apps',
          label.includes('*') ? {} : { name: label },
          APP_PAGE_SIZE,
          `app ${label}`,
          progress,
        ),
      );
      const exact = rows.filter((r) => r.name.toLowerCase() === label.toLowerCase());
      const apps = await Promise.all(
        exact.map((app) =>
          limit(async (): Promise<IdpApp> => {
            const users = await readAll<{ id: number }>(
              client,
              `api/2/apps/${app.id}/users`,
              {},
              APP_USER_PAGE_SIZE,
              `users of app ${label}`,
              progress,
            );
            return { id: String(app.id), label, memberIds: users.map((u) => String(u.id)) };
          }),
        ),
      );
      return { label, apps };
    }),
  );
  return {
    apps: perLabel.flatMap((r) => r.apps),
    missing: perLabel.filter((r) => r.apps.length === 0).map((r) => r.label),
  };
}

/** A read, how it was made, and what the next one may build on (see incremental.ts). */
export interface OneLoginRead {
  snapshot: IdpSnapshot;
  mode: 'full' | 'incremental';
  fallback?: string;
  base?: OneLoginSnapshotBase;
}

export async function readSnapshot(
  client: OneLoginClient,
  directory: Directory,
  scope: SnapshotScope,
  progress?: Progress,
): Promise<IdpSnapshot> {
  return (await readOneLogin(client, directory, scope, progress, undefined, { keepBase: false })).snapshot;
}

/**
 * The events since the cached position (event-feed.ts), when anything is to be taken from them:
 * `delta` only when they continue the cached position; `position` for the next read either way
 * (absent when the events could not be read at all: the next read is then full for roles and
 * devices too); `doubt` when the cached position could not be built on.
 */
async function readEvents(
  client: OneLoginClient,
  from: EventPosition | undefined,
): Promise<{ delta?: EventDelta; position?: EventPosition; doubt?: string }> {
  let doubt: string | undefined;
  if (from) {
    try {
      const delta = await pullEvents(client, from);
      return { delta, position: delta.position };
    } catch (error) {
      doubt = `the OneLogin events could not be read from the cached position (${firstLine(error)})`;
    }
  }
  try {
    // A first pull: only where the next one starts (what it sees, this read reads anyway).
    const { position } = await pullEvents(client, undefined);
    return { position, ...(doubt ? { doubt } : {}) };
  } catch (error) {
    return { doubt: doubt ?? `the OneLogin events could not be read (${firstLine(error)})` };
  }
}

export async function readOneLogin(
  client: OneLoginClient,
  directory: Directory,
  scope: SnapshotScope,
  progress?: Progress,
  base?: OneLoginSnapshotBase,
  /** `keepBase: false`: nobody keeps what this read leaves (no cache), so no events are pulled. */
  options: { keepBase?: boolean } = {},
): Promise<OneLoginRead> {
  const fetchedAt = new Date().toISOString();
  const names = [...new Map(scope.oneloginRoles.map((n) => [n.toLowerCase(), n])).values()];
  const limit = pLimit(ROLE_CONCURRENCY);
  const readsRoles = scope.allGroups === true || names.length > 0;

  // Role membership and MFA devices are what the events tell; they are pulled first, so whatever
  // moves during this read is after the position and seen by the next one.
  const events =
    options.keepBase !== false && (readsRoles || scope.oneloginFactors)
      ? readEvents(client, base?.events)
      : Promise.resolve(undefined);

  const readGroups = async (): Promise<{ groups: IdpGroup[]; reused: Set<string> }> => {
    // `allGroups` (accord import): every role of the account, named or not.
    const [roles, feed] = await Promise.all([
      scope.allGroups
        ? readAll<RoleRow>(client, 'api/2/roles', {}, ROLE_PAGE_SIZE, 'roles', progress)
        : findRoles(client, names, progress),
      events,
    ]);
    // A role's cached members are kept when the events continue the cached position and name
    // neither the role nor an unknown one (incremental.ts).
    const delta = feed?.delta;
    const cached = new Map<number, CachedRole>(
      delta && !delta.anyRole ? (base?.roles ?? []).map((r) => [r.id, r]) : [],
    );
    const reused = new Set<string>();
    const groups = await Promise.all(
      roles.map(async (role): Promise<IdpGroup> => {
        directory.rememberRole(role.name, role.id);
        const kept = cached.get(role.id);
        if (kept && !delta!.roles.has(String(role.id))) {
          reused.add(String(role.id));
          return { id: String(role.id), name: role.name, kind: 'managed', memberIds: kept.memberIds };
        }
        return readMembers(role);
      }),
    );
    return { groups, reused };
  };
  const readMembers = (role: RoleRow): Promise<IdpGroup> =>
    limit(async () => {
      const rows = await readAll<RoleUserRow>(
        client,
        `api/2/roles/${role.id}/users`,
        {},
        ROLE_USER_PAGE_SIZE,
        `role ${role.name}`,
        progress,
      );
      const memberIds = rows.filter((r) => r.assigned !== false).map((r) => String(r.id));
      return { id: String(role.id), name: role.name, kind: 'managed' as const, memberIds };
    });

  const labels = [...new Map((scope.oneloginApps ?? []).map((n) => [n.toLowerCase(), n])).values()];
  const [users, read, apps, feed] = await Promise.all([
    readUserRows(client, progress, base, scope),
    readGroups(),
    labels.length > 0 ? readApps(client, labels, limit, progress) : undefined,
    events,
  ]);
  // Deleting a user leaves no membership event: kept member lists drop who is gone. An account
  // whose users went back (a restore) keeps nothing: those roles are read after all.
  const present = new Set(users.rows.map((u) => String(u.id)));
  const groups = await Promise.all(
    read.groups.map((g) =>
      !read.reused.has(g.id)
        ? g
        : users.restored
          ? readMembers({ id: Number(g.id), name: g.name })
          : { ...g, memberIds: g.memberIds.filter((id) => present.has(id)) },
    ),
  );
  const delta = users.restored ? undefined : feed?.delta;

  // MFA devices (UC-17) after the users, so every account they judge is known; see devices.ts.
  const devices = scope.oneloginFactors
    ? await readDevices(
        client,
        users.rows,
        users.fresh,
        delta ? base?.devices : undefined,
        delta?.deviceUsers ?? new Set(),
        progress,
      )
    : undefined;

  const accounts = toAccounts(users.rows, directory, scope);
  const found = new Set(groups.map((g) => g.name.toLowerCase()));
  const snapshot: IdpSnapshot = {
    platform: 'onelogin',
    accounts,
    groups,
    missingGroups: names.filter((n) => !found.has(n.toLowerCase())),
    ...(apps && { apps: apps.apps, missingApps: apps.missing }),
    ...(devices && { factors: devices.factors }),
    fetchedAt,
  };
  const cursor = newestUpdate(users.rows);
  // No base without `updated_at` on every user: the next read is then full.
  const next: OneLoginSnapshotBase | undefined =
    cursor === undefined
      ? undefined
      : {
          version: BASE_VERSION,
          usersCursor: cursor,
          users: users.rows,
          ...(feed?.position && {
            events: feed.position,
            roles: groups.map((g) => ({ id: Number(g.id), name: g.name, memberIds: g.memberIds })),
            ...(devices && { devices: devices.factors }),
          }),
        };
  return {
    snapshot,
    mode: users.mode,
    ...(users.fallback !== undefined ? { fallback: users.fallback } : {}),
    ...(next ? { base: next } : {}),
  };
}
