import { HttpResponse, type HttpHandler } from 'msw';
import { route, type RouteInfo } from '../../instrument.js';
import { api, readBody, type OneLoginContext } from '../auth.js';
import { badRequest, notFound } from '../errors.js';
import { matcher, pageOf, readListQuery, type PagingLimits } from '../paging.js';
import type { OneLoginStore, RoleInput } from '../store.js';
import type { OneLoginRole } from '../types.js';
import { pathId } from './common.js';

/** "Max page limit is 650" (list-roles docs). The default of 50 is ours. */
export const ROLE_PAGING: PagingLimits = { defaultLimit: 50, maxLimit: 650 };
/** Role users: the docs give no maximum; we use the roles' figures. */
export const ROLE_USER_PAGING: PagingLimits = { defaultLimit: 50, maxLimit: 650 };

const ROLE_EXTRA_FIELDS = ['apps', 'users', 'admins'] as const;

function fullRole(store: OneLoginStore, role: OneLoginRole) {
  return {
    id: role.id,
    name: role.name,
    apps: role.apps,
    users: store.roleMemberIds(role.id),
    admins: role.admins,
  };
}

/** A raw JSON array of integer user ids, `[123,456]`, is the only body these endpoints take. */
async function userIdArray(request: Request): Promise<number[]> {
  const body = await readBody(request);
  if (!Array.isArray(body) || !body.every((v) => Number.isInteger(v)))
    throw badRequest('Request body must be an array of user ids, e.g. [123,456]');
  return body as number[];
}

export function roleHandlers(ctx: OneLoginContext): HttpHandler[] {
  const { store, tenant } = ctx;
  const listUrl = `${tenant.baseUrl}/api/2/roles`;
  /** The role id in the path; an unknown role is a 404 before the body is read. */
  const knownRoleId = (info: RouteInfo) => {
    const id = pathId(info);
    if (!store.roleRef(id)) throw notFound();
    return id;
  };

  return [
    route(
      tenant,
      'get',
      '/api/2/roles',
      api(ctx, ({ url }) => {
        const query = readListQuery(url, ROLE_PAGING);
        const name = query.params.get('name');
        const appId = query.params.get('app_id');
        const appName = query.params.get('app_name');
        const match = name ? matcher(name) : undefined;
        const matchApp = appName ? matcher(appName) : undefined;
        const all = store.roleIds();
        const ids =
          match || appId || matchApp
            ? all.filter((id) => {
                const r = store.roleRef(id)!;
                return (
                  (!match || match(r.name)) &&
                  (!appId || r.apps.includes(Number(appId))) &&
                  (!matchApp || r.apps.some((a) => matchApp(store.appRef(a)?.name)))
                );
              })
            : all;
        // A list gives `id` and `name`; `fields=apps,users,admins` adds those (the docs' "Valid
        // fields"), which keeps a list of big roles from carrying every member id by default.
        const extra = new Set((query.params.get('fields') ?? '').split(',').map((f) => f.trim()));
        const page = pageOf(ids, query, listUrl, (id) => {
          const full = fullRole(store, store.roleRef(id)!);
          const out: Record<string, unknown> = { id: full.id, name: full.name };
          for (const f of ROLE_EXTRA_FIELDS) if (extra.has(f)) out[f] = full[f];
          return out;
        });
        return HttpResponse.json(page.items, { headers: page.headers });
      }),
    ),
    route(
      tenant,
      'post',
      '/api/2/roles',
      api(ctx, async ({ request }) => {
        const body = await readBody(request);
        const role = store.createRole(body as RoleInput);
        // 201 with `[{"id":N}]`: the SDK's CreateRole201Response is a list of `{id}`.
        return HttpResponse.json([{ id: role.id }], { status: 201 });
      }),
    ),
    route(
      tenant,
      'get',
      '/api/2/roles/:id',
      api(ctx, (info) => {
        const role = store.roleRef(pathId(info));
        if (!role) throw notFound();
        return HttpResponse.json(fullRole(store, role));
      }),
    ),
    route(
      tenant,
      'put',
      '/api/2/roles/:id',
      api(ctx, async (info) => {
        const id = knownRoleId(info);
        const body = await readBody(info.request);
        store.updateRole(id, body as RoleInput);
        return HttpResponse.json({ id });
      }),
    ),
    route(
      tenant,
      'delete',
      '/api/2/roles/:id',
      api(ctx, (info) => {
        store.deleteRole(pathId(info));
        return new HttpResponse(null, { status: 204 });
      }),
    ),
    route(
      tenant,
      'get',
      '/api/2/roles/:id/users',
      api(ctx, (info) => {
        const roleId = knownRoleId(info);
        const query = readListQuery(info.url, ROLE_USER_PAGING);
        const base =
          query.params.get('include_unassigned') === 'true' ? store.userIds() : store.roleMemberIds(roleId);
        const name = query.params.get('name');
        let ids = base;
        if (name) {
          const match = matcher(name);
          ids = base.filter((id) => {
            const row = store.roleUserRow(roleId, id);
            return match(row.name) || match(row.username);
          });
        }
        const page = pageOf(ids, query, `${tenant.baseUrl}/api/2/roles/${roleId}/users`, (id) =>
          store.roleUserRow(roleId, id),
        );
        return HttpResponse.json(page.items, { headers: page.headers });
      }),
    ),
    route(
      tenant,
      'post',
      '/api/2/roles/:id/users',
      api(ctx, async (info) => {
        const roleId = knownRoleId(info);
        const added = store.addRoleUsers(roleId, await userIdArray(info.request));
        return HttpResponse.json(added.map((id) => ({ id })));
      }),
    ),
    route(
      tenant,
      'delete',
      '/api/2/roles/:id/users',
      api(ctx, async (info) => {
        const roleId = knownRoleId(info);
        store.removeRoleUsers(roleId, await userIdArray(info.request));
        return new HttpResponse(null, { status: 204 });
      }),
    ),
  ];
}
