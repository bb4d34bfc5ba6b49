import type { HttpHandler } from 'msw';
import { leftBlank, malformedBody } from '../errors.js';
import {
  evaluate,
  parseExpression,
  pinnedValue,
  userFilterDialect,
  userSearchDialect,
  type Expression,
} from '../filter.js';
import { endpoint, flag, param, readJson, type OktaEnv, type Reply } from '../http.js';
import { linkHeaders, pageOf, parseLimit, type Page } from '../paging.js';
import { groupBody, readUser, userBody } from '../serialize.js';
import type { OktaUserRecord } from '../types.js';

export const USERS_READ = ['okta.users.read', 'okta.users.manage'] as const;
export const USERS_MANAGE = ['okta.users.manage'] as const;

const MAX_LIMIT = 200;
/** `q` is not pageable and returns 10 users unless `limit` says otherwise. */
const Q_DEFAULT_LIMIT = 10;

/** Sorted search results page by offset; these cursors can't be confused with ids (`00u...`). */
const OFFSET_CURSOR = /^o(\d+)$/;

export function userHandlers(env: OktaEnv): HttpHandler[] {
  const { store, baseUrl } = env;
  const body = (u: OktaUserRecord) => userBody(u, baseUrl);

  const list = (url: URL): Reply => {
    const params = url.searchParams;
    const q = params.get('q');
    const filter = params.get('filter');
    const search = params.get('search');
    const after = params.get('after') ?? undefined;

    if (q !== null && filter === null && search === null) {
      const limit = parseLimit(url, Q_DEFAULT_LIMIT, MAX_LIMIT);
      const prefix = q.toLowerCase();
      const starts = (v: unknown) => typeof v === 'string' && v.toLowerCase().startsWith(prefix);
      const items: OktaUserRecord[] = [];
      for (const id of store.sortedUserIds()) {
        const u = store.getUser(id)!;
        if (u.status === 'DEPROVISIONED') continue;
        if (starts(u.profile.firstName) || starts(u.profile.lastName) || starts(u.profile.email))
          items.push(u);
        if (items.length >= limit) break;
      }
      return listReply(url, { items });
    }

    const limit = parseLimit(url, MAX_LIMIT, MAX_LIMIT);
    const parts: Expression[] = [];
    if (filter !== null) parts.push(parseExpression(filter, userFilterDialect));
    if (search !== null) parts.push(parseExpression(search, userSearchDialect));
    const expression = parts.reduce<Expression | undefined>(
      (acc, e) => (acc ? { kind: 'and', left: acc, right: e } : e),
      undefined,
    );
    // A plain list leaves DEPROVISIONED users out; filter and search include them.
    const keep = expression
      ? (u: OktaUserRecord) => evaluate(expression, u, readUser)
      : (u: OktaUserRecord) => u.status !== 'DEPROVISIONED';

    const sortBy = params.get('sortBy');
    if (search !== null && sortBy) {
      return listReply(url, sortedPage(keep, sortBy, params.get('sortOrder'), after, limit));
    }

    // Unique keys pinned by the expression narrow the walk to one user.
    const pinnedId = expression && pinnedValue(expression, 'id');
    const pinnedLogin = expression && pinnedValue(expression, 'profile.login');
    if (pinnedId !== undefined || pinnedLogin !== undefined) {
      const candidate =
        pinnedId !== undefined ? store.getUser(pinnedId) : store.findUserByLogin(pinnedLogin!);
      const ids = candidate ? [candidate.id] : [];
      const start = after !== undefined && candidate && candidate.id <= after ? 1 : 0;
      return listReply(
        url,
        pageOf(ids, start, limit, (id) => store.getUser(id), keep),
      );
    }
    return listReply(
      url,
      pageOf(store.sortedUserIds(), store.userIndexAfter(after), limit, (id) => store.getUser(id), keep),
    );
  };

  const sortedPage = (
    keep: (u: OktaUserRecord) => boolean,
    sortBy: string,
    sortOrder: string | null,
    after: string | undefined,
    limit: number,
  ): Page<OktaUserRecord> => {
    const matches = store.users().filter(keep);
    const direction = sortOrder?.toLowerCase() === 'desc' ? -1 : 1;
    const key = (u: OktaUserRecord) => {
      const v = readUser(u, sortBy);
      return v === null || v === undefined ? '' : String(v).toLowerCase();
    };
    matches.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return (ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : 1) * direction;
    });
    const offset = Number(OFFSET_CURSOR.exec(after ?? '')?.[1] ?? 0);
    const items = matches.slice(offset, offset + limit);
    const end = offset + items.length;
    return end < matches.length ? { items, next: `o${end}` } : { items };
  };

  const listReply = (url: URL, page: Page<OktaUserRecord>): Reply => ({
    status: 200,
    body: page.items.map(body),
    headers: { Link: linkHeaders(baseUrl, url, page.next) },
  });

  const credentials = (value: unknown): { password: boolean } => {
    const password = (value as { password?: { value?: unknown; hash?: unknown } } | undefined)?.password;
    return {
      password: password !== undefined && (password.value !== undefined || password.hash !== undefined),
    };
  };

  const profileOf = (
    json: Record<string, unknown>,
    required: boolean,
  ): Record<string, unknown> | undefined => {
    const profile = json.profile;
    if (profile === undefined && !required) return undefined;
    if (profile === null || typeof profile !== 'object' || Array.isArray(profile)) {
      throw leftBlank('profile');
    }
    return profile as Record<string, unknown>;
  };

  return [
    endpoint(env, 'get', '/api/v1/users', 'users', USERS_READ, ({ url }) => list(url)),

    endpoint(env, 'post', '/api/v1/users', 'users', USERS_MANAGE, async ({ request, url }) => {
      const json = await readJson(request);
      const groupIds = json.groupIds;
      if (
        groupIds !== undefined &&
        (!Array.isArray(groupIds) || groupIds.some((g) => typeof g !== 'string'))
      ) {
        throw malformedBody();
      }
      const typeId = (json.type as { id?: unknown } | undefined)?.id;
      const user = store.createUser({
        profile: profileOf(json, true)!,
        password: credentials(json.credentials).password,
        activate: flag(url, 'activate', true),
        groupIds: groupIds as string[] | undefined,
        typeId: typeof typeId === 'string' ? typeId : undefined,
      });
      return { status: 200, body: body(user) };
    }),

    endpoint(env, 'get', '/api/v1/users/:userId', 'user', USERS_READ, (info) => ({
      status: 200,
      body: body(store.requireUser(param(info, 'userId'))),
    })),

    endpoint(env, 'post', '/api/v1/users/:userId', 'user', USERS_MANAGE, async (info) => {
      const json = await readJson(info.request);
      const user = store.updateUser(param(info, 'userId'), {
        profile: profileOf(json, false),
        password: credentials(json.credentials).password,
      });
      return { status: 200, body: body(user) };
    }),

    endpoint(env, 'put', '/api/v1/users/:userId', 'user', USERS_MANAGE, async (info) => {
      const json = await readJson(info.request);
      const user = store.updateUser(
        param(info, 'userId'),
        { profile: profileOf(json, true), password: credentials(json.credentials).password },
        true,
      );
      return { status: 200, body: body(user) };
    }),

    endpoint(env, 'delete', '/api/v1/users/:userId', 'user', USERS_MANAGE, (info) => {
      store.deleteUser(param(info, 'userId'));
      return { status: 204 };
    }),

    endpoint(
      env,
      'get',
      '/api/v1/users/:userId/groups',
      'user',
      [...USERS_READ, 'okta.groups.read', 'okta.groups.manage'],
      (info) => {
        const user = store.requireUser(param(info, 'userId'));
        return { status: 200, body: store.groupsOfUser(user.id).map((g) => groupBody(g, baseUrl)) };
      },
    ),
  ];
}
