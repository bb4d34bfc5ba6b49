import { HttpResponse, type HttpHandler } from 'msw';
import { route } from '../../instrument.js';
import { api, readBody, type OneLoginContext } from '../auth.js';
import { badRequest, notFound } from '../errors.js';
import { matcher, pageOf, pickFields, readListQuery, type PagingLimits } from '../paging.js';
import type { OneLoginStore, UserInput } from '../store.js';
import type { OneLoginUser } from '../types.js';
import { parseDate, pathId } from './common.js';

/**
 * Page size for `GET /api/2/users`: default 50, max 100. The docs say "up to 50 users per page",
 * the SDK's OpenAPI spec says "limit max 100"; which one the service enforces is UNCONFIRMED. We
 * allow 100 because a client that follows `After-Cursor` is correct under either cap, and the
 * larger one halves the calls a 10k-user snapshot needs in the sandbox. Larger limits are clamped.
 */
export const USER_PAGING: PagingLimits = { defaultLimit: 50, maxLimit: 100 };

const SORTABLE = new Set([
  'id',
  'firstname',
  'lastname',
  'email',
  'username',
  'created_at',
  'updated_at',
  'last_login',
]);
const TEXT_FILTERS = ['firstname', 'lastname', 'samaccountname', 'external_id', 'userprincipalname'] as const;
const DATE_FILTERS = [
  ['created', 'created_at'],
  ['updated', 'updated_at'],
  ['last_login', 'last_login'],
] as const;

type Predicate = (u: OneLoginUser) => boolean;

/**
 * The ids a list query selects, in order. Unfiltered lists use the store's cached id order (no
 * scan); `user_ids` and exact `username`/`email` go through indexes; other filters scan once.
 */
export function selectUsers(store: OneLoginStore, params: URLSearchParams): readonly number[] {
  let candidates: number[] | undefined;
  const preds: Predicate[] = [];
  const narrow = (ids: number[]) => {
    const keep = new Set(ids);
    candidates = candidates ? candidates.filter((id) => keep.has(id)) : ids;
  };

  const userIds = params.get('user_ids');
  if (userIds) {
    const ids = userIds
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        if (!/^\d+$/.test(s)) throw badRequest('user_ids must be a comma-separated list of ids');
        return Number(s);
      });
    narrow([...new Set(ids)].filter((id) => store.userRef(id)).sort((a, b) => a - b));
  }
  for (const key of ['username', 'email'] as const) {
    const value = params.get(key);
    if (!value) continue;
    if (value.includes('*')) {
      const match = matcher(value);
      preds.push((u) => match(u[key]));
    } else {
      const id = key === 'username' ? store.userIdByUsername(value) : store.userIdByEmail(value);
      narrow(id === undefined ? [] : [id]);
    }
  }
  for (const key of TEXT_FILTERS) {
    const value = params.get(key);
    if (!value) continue;
    const match = matcher(value);
    preds.push((u) => match(u[key]));
  }
  const directory = params.get('directory_id');
  if (directory) preds.push((u) => String(u.directory_id) === directory);
  for (const [prefix, field] of DATE_FILTERS) {
    const since = params.get(`${prefix}_since`);
    const until = params.get(`${prefix}_until`);
    if (since) {
      const t = parseDate(since, `${prefix}_since`);
      preds.push((u) => u[field] !== null && Date.parse(u[field]) >= t);
    }
    if (until) {
      const t = parseDate(until, `${prefix}_until`);
      preds.push((u) => u[field] !== null && Date.parse(u[field]) <= t);
    }
  }
  for (const [key, value] of params) {
    if (!key.startsWith('custom_attributes.') || !value) continue;
    const name = key.slice('custom_attributes.'.length);
    const match = matcher(value);
    preds.push((u) => match(u.custom_attributes[name]));
  }
  // Users who have the app, directly or through a role (an unknown or malformed id: nobody).
  const appId = params.get('app_id');
  if (appId) narrow(/^\d+$/.test(appId) ? [...store.appUserIds(Number(appId))] : []);

  const base: readonly number[] = candidates ?? store.userIds();
  let ids = preds.length ? base.filter((id) => preds.every((p) => p(store.userRef(id)!))) : base;

  // `sort=+firstname` reaches us as " firstname" when the client didn't encode the plus.
  const sort = params.get('sort')?.trim();
  if (sort) {
    const desc = sort.startsWith('-');
    const field = sort.replace(/^[+-]/, '') as keyof OneLoginUser;
    if (SORTABLE.has(field)) {
      ids = [...ids].sort((a, b) => {
        const x = store.userRef(a)![field] as string | number | null;
        const y = store.userRef(b)![field] as string | number | null;
        if (x === y) return a - b;
        if (x === null) return 1;
        if (y === null) return -1;
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return (desc ? -c : c) || a - b;
      });
    }
  }
  return ids;
}

export function userHandlers(ctx: OneLoginContext): HttpHandler[] {
  const { store, tenant } = ctx;
  const listUrl = `${tenant.baseUrl}/api/2/users`;

  return [
    route(
      tenant,
      'get',
      '/api/2/users',
      api(ctx, ({ url }) => {
        const query = readListQuery(url, USER_PAGING);
        const pick = pickFields(query.params);
        const page = pageOf(selectUsers(store, query.params), query, listUrl, (id) => {
          const u = store.userRef(id)!;
          return pick ? pick(u) : u;
        });
        return HttpResponse.json(page.items, { headers: page.headers });
      }),
    ),
    route(
      tenant,
      'get',
      '/api/2/users/:id',
      api(ctx, (info) => {
        const user = store.userRef(pathId(info));
        if (!user) throw notFound();
        const pick = pickFields(info.url.searchParams);
        return HttpResponse.json(pick ? pick(user) : user);
      }),
    ),
    route(
      tenant,
      'post',
      '/api/2/users',
      api(ctx, async ({ request }) => {
        const body = await readBody(request);
        return HttpResponse.json(store.createUser(body as UserInput), { status: 201 });
      }),
    ),
    route(
      tenant,
      'put',
      '/api/2/users/:id',
      api(ctx, async (info) => {
        const id = pathId(info);
        if (!store.userRef(id)) throw notFound();
        const body = await readBody(info.request);
        return HttpResponse.json(store.updateUser(id, body as UserInput));
      }),
    ),
    // v1 "Log User Out": ends the user's OneLogin session; answers in the v1 status shape.
    // UNCONFIRMED: the method (PUT, as the v1 docs' examples send it) and the 404 body.
    route(
      tenant,
      'put',
      '/api/1/users/:id/logout',
      api(ctx, (info) => {
        const id = pathId(info);
        if (!store.userRef(id)) throw notFound();
        store.logouts.set(id, (store.logouts.get(id) ?? 0) + 1);
        return HttpResponse.json({
          status: { error: false, code: 200, type: 'success', message: 'Success' },
        });
      }),
    ),
    route(
      tenant,
      'delete',
      '/api/2/users/:id',
      api(ctx, (info) => {
        store.deleteUser(pathId(info));
        return new HttpResponse(null, { status: 204 });
      }),
    ),
  ];
}
