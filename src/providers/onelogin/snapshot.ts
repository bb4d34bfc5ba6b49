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

/**
 * Every user, leavers included (OneLogin can't filter on status/state, and offboarding needs them):
 * one list at the largest page size. Managers resolve against the same list, so a manager costs no
 * extra call.
 */
async function readAccounts(
  client: OneLoginClient,
  directory: Directory,
  scope: SnapshotScope,
  progress: Progress | undefined,
): Promise<IdpAccount[]> {
  const users = await readAll<WireUser>(
    client,
    'api/2/users',
    { fields: USER_FIELDS.join(',') },
    USER_PAGE_SIZE,
    'users',
    progress,
  );
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

export async function readSnapshot(
  client: OneLoginClient,
  directory: Directory,
  scope: SnapshotScope,
  progress?: Progress,
): Promise<IdpSnapshot> {
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
  const [accounts, groups, apps] = await Promise.all([
    readAccounts(client, directory, scope, progress),
    readGroups(),
    labels.length > 0 ? readApps(client, labels, limit, progress) : undefined,
  ]);
  const found = new Set(groups.map((g) => g.name.toLowerCase()));
  return {
    platform: 'onelogin',
    accounts,
    groups,
    missingGroups: names.filter((n) => !found.has(n.toLowerCase())),
    ...(apps && { apps: apps.apps, missingApps: apps.missing }),
    fetchedAt,
  };
}
