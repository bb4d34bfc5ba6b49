import pLimit from 'p-limit';
import type { IdpAccount, IdpApp, IdpGroup, IdpSnapshot, SnapshotScope } from '../../model/snapshot.js';
import type { Progress } from '../provider.js';
import { attributesOf, USER_FIELDS, type WireUser } from './attributes.js';
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
import { BASE_VERSION, byId, deltaSince, newestUpdate, type OneLoginSnapshotBase } from './incremental.js';

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
): Promise<{ rows: WireUser[]; mode: 'full' | 'incremental'; fallback?: string }> {
  const fields = USER_FIELDS.join(',');
  let fallback: string | undefined;
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
    if (!reached) fallback = `cursor gap: no user at or after ${base.usersCursor}`;
    else {
      const total = await countUsers(client);
      if (total === undefined) fallback = 'OneLogin sent no Total-Count for users';
      else if (total !== merged.size)
        fallback = `OneLogin has ${total} users, the merged read ${merged.size}`;
    }
    if (fallback === undefined) return { rows: byId([...merged.values()]), mode: 'incremental' };
  }
  const rows = await readAll<WireUser>(client, 'api/2/users', { fields }, USER_PAGE_SIZE, 'users', progress);
  return { rows: byId(rows), mode: 'full', ...(fallback !== undefined ? { fallback } : {}) };
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
  return (await readOneLogin(client, directory, scope, progress)).snapshot;
}

export async function readOneLogin(
  client: OneLoginClient,
  directory: Directory,
  scope: SnapshotScope,
  progress?: Progress,
  base?: OneLoginSnapshotBase,
): Promise<OneLoginRead> {
  const fetchedAt = new Date().toISOString();
  const names = [...new Map(scope.oneloginRoles.map((n) => [n.toLowerCase(), n])).values()];
  const limit = pLimit(ROLE_CONCURRENCY);

  const readGroups = async (): Promise<IdpGroup[]> => {
    // `allGroups` (accord import): every role of the account, named or not.
    const roles = scope.allGroups
      ? await readAll<RoleRow>(client, 'api/2/roles', {}, ROLE_PAGE_SIZE, 'roles', progress)
      : await findRoles(client, names, progress);
    return Promise.all(
      roles.map((role) =>
        limit(async () => {
          directory.rememberRole(role.name, role.id);
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
        }),
      ),
    );
  };

  const labels = [...new Map((scope.oneloginApps ?? []).map((n) => [n.toLowerCase(), n])).values()];
  const [users, groups, apps] = await Promise.all([
    readUserRows(client, progress, base),
    readGroups(),
    labels.length > 0 ? readApps(client, labels, limit, progress) : undefined,
  ]);
  const accounts = toAccounts(users.rows, directory, scope);
  const found = new Set(groups.map((g) => g.name.toLowerCase()));
  const snapshot: IdpSnapshot = {
    platform: 'onelogin',
    accounts,
    groups,
    missingGroups: names.filter((n) => !found.has(n.toLowerCase())),
    ...(apps && { apps: apps.apps, missingApps: apps.missing }),
    fetchedAt,
  };
  const cursor = newestUpdate(users.rows);
  // No base without `updated_at` on every user: the next read is then full.
  const next: OneLoginSnapshotBase | undefined =
    cursor === undefined ? undefined : { version: BASE_VERSION, usersCursor: cursor, users: users.rows };
  return {
    snapshot,
    mode: users.mode,
    ...(users.fallback !== undefined ? { fallback: users.fallback } : {}),
    ...(next ? { base: next } : {}),
  };
}
