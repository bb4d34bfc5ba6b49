import type { HttpHandler } from 'msw';
import { leftBlank } from '../errors.js';
import {
  evaluate,
  groupFilterDialect,
  groupSearchDialect,
  parseExpression,
  type Expression,
} from '../filter.js';
import { endpoint, param, readJson, type OktaEnv, type Reply } from '../http.js';
import { linkHeaders, pageOf, parseLimit } from '../paging.js';
import { groupBody, readGroup, userBody } from '../serialize.js';
import type { OktaGroupRecord } from '../types.js';

export const GROUPS_READ = ['okta.groups.read', 'okta.groups.manage'] as const;
export const GROUPS_MANAGE = ['okta.groups.manage'] as const;

/** UNCONFIRMED: the reference gives the maximum (10000), not the default; we default to the maximum. */
const GROUPS_MAX_LIMIT = 10_000;
/** `q` returns 300 groups unless `limit` says otherwise, and is not pageable. */
const Q_DEFAULT_LIMIT = 300;
const MEMBERS_MAX_LIMIT = 1000;

export function groupHandlers(env: OktaEnv): HttpHandler[] {
  const { store, baseUrl } = env;

  const body = (g: OktaGroupRecord, url: URL) =>
    groupBody(
      g,
      baseUrl,
      url.searchParams.get('expand')?.split(',').includes('stats')
        ? { usersCount: store.memberCount(g.id), appsCount: store.appCountOfGroup(g.id) }
        : undefined,
    );

  const list = (url: URL): Reply => {
    const params = url.searchParams;
    const q = params.get('q');
    const filter = params.get('filter');
    const search = params.get('search');
    const after = params.get('after') ?? undefined;
    const parts: Expression[] = [];
    if (filter !== null) parts.push(parseExpression(filter, groupFilterDialect));
    if (search !== null) parts.push(parseExpression(search, groupSearchDialect));
    let keep = (g: OktaGroupRecord) => parts.every((e) => evaluate(e, g, readGroup));
    const pageable = q === null;
    if (q !== null) {
      const prefix = q.toLowerCase();
      const matches = keep;
      keep = (g) => g.profile.name.toLowerCase().startsWith(prefix) && matches(g);
    }
    const limit = parseLimit(url, pageable ? GROUPS_MAX_LIMIT : Q_DEFAULT_LIMIT, GROUPS_MAX_LIMIT);
    const page = pageOf(
      store.sortedGroupIds(),
      store.groupIndexAfter(after),
      limit,
      (id) => store.getGroup(id),
      keep,
    );
    return {
      status: 200,
      body: page.items.map((g) => body(g, url)),
      headers: { Link: linkHeaders(baseUrl, url, pageable ? page.next : undefined) },
    };
  };

  const profileOf = (json: Record<string, unknown>) => {
    const profile = json.profile as { name?: unknown; description?: unknown } | undefined;
    if (!profile || typeof profile !== 'object' || typeof profile.name !== 'string') {
      throw leftBlank('name');
    }
    return {
      ...(profile as Record<string, unknown>),
      name: profile.name,
      description: typeof profile.description === 'string' ? profile.description : null,
    };
  };

  return [
    endpoint(env, 'get', '/api/v1/groups', 'groups', GROUPS_READ, ({ url }) => list(url)),

    endpoint(env, 'post', '/api/v1/groups', 'groups', GROUPS_MANAGE, async ({ request, url }) => {
      const { name, description, ...extra } = profileOf(await readJson(request));
      return { status: 200, body: body(store.createGroup({ name, description, extra }), url) };
    }),

    endpoint(env, 'get', '/api/v1/groups/:groupId', 'group', GROUPS_READ, (info) => ({
      status: 200,
      body: body(store.requireGroup(param(info, 'groupId')), info.url),
    })),

    endpoint(env, 'put', '/api/v1/groups/:groupId', 'group', GROUPS_MANAGE, async (info) => {
      const profile = profileOf(await readJson(info.request));
      return { status: 200, body: body(store.updateGroup(param(info, 'groupId'), profile), info.url) };
    }),

    endpoint(env, 'delete', '/api/v1/groups/:groupId', 'group', GROUPS_MANAGE, (info) => {
      store.deleteGroup(param(info, 'groupId'));
      return { status: 204 };
    }),

    // UNCONFIRMED: whether Okta lists DEPROVISIONED members here; we list every member, whatever the status.
    endpoint(env, 'get', '/api/v1/groups/:groupId/users', 'group', GROUPS_READ, (info) => {
      const group = store.requireGroup(param(info, 'groupId'));
      const limit = parseLimit(info.url, MEMBERS_MAX_LIMIT, MEMBERS_MAX_LIMIT);
      const after = info.url.searchParams.get('after') ?? undefined;
      const page = pageOf(
        store.memberIds(group.id),
        store.memberIndexAfter(group.id, after),
        limit,
        (id) => store.getUser(id),
        () => true,
      );
      return {
        status: 200,
        body: page.items.map((u) => userBody(u, baseUrl)),
        headers: { Link: linkHeaders(baseUrl, info.url, page.next) },
      };
    }),

    endpoint(env, 'put', '/api/v1/groups/:groupId/users/:userId', 'group', GROUPS_MANAGE, (info) => {
      store.addMember(param(info, 'groupId'), param(info, 'userId'));
      return { status: 204 };
    }),

    endpoint(env, 'delete', '/api/v1/groups/:groupId/users/:userId', 'group', GROUPS_MANAGE, (info) => {
      store.removeMember(param(info, 'groupId'), param(info, 'userId'));
      return { status: 204 };
    }),
  ];
}
