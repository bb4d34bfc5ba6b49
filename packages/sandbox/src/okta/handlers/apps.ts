import type { HttpHandler } from 'msw';
import { appFilterDialect, evaluate, parseExpression } from '../filter.js';
import { endpoint, param, type OktaEnv } from '../http.js';
import { linkHeaders, pageFrom, pageOf, parseLimit } from '../paging.js';
import { appBody, appGroupBody, appUserBody, readApp } from '../serialize.js';
import type { OktaAppRecord } from '../types.js';

export const APPS_READ = ['okta.apps.read', 'okta.apps.manage'] as const;

/**
 * Page sizes. Apps: max 200 (the docs' figure); the default is UNCONFIRMED (the API reference
 * lists -1, which reads as "no explicit limit"), so 20, what Okta's other paged lists of objects
 * use. App users: default 50, max 500. App groups: default 20, max 200 (as apps). Larger limits
 * are clamped, as elsewhere in the emulator.
 */
export const APPS_DEFAULT_LIMIT = 20;
export const APPS_MAX_LIMIT = 200;
export const APP_USERS_DEFAULT_LIMIT = 50;
export const APP_USERS_MAX_LIMIT = 500;

/** `GET /api/v1/apps`, one app, and who is assigned to it (users, and groups). One bucket: `apps`. */
export function appHandlers(env: OktaEnv): HttpHandler[] {
  const { store, baseUrl } = env;

  return [
    endpoint(env, 'get', '/api/v1/apps', 'apps', APPS_READ, ({ url }) => {
      const params = url.searchParams;
      const q = params.get('q')?.toLowerCase();
      const filter = params.get('filter');
      const expression = filter === null ? undefined : parseExpression(filter, appFilterDialect);
      // `q` is a startsWith on name or label, ignoring case (and unlike a user `q`, it pages).
      const keep = (a: OktaAppRecord) =>
        (q === undefined || a.name.toLowerCase().startsWith(q) || a.label.toLowerCase().startsWith(q)) &&
        (expression === undefined || evaluate(expression, a, readApp));
      const after = params.get('after') ?? undefined;
      const page = pageOf(
        store.sortedAppIds(),
        store.appIndexAfter(after),
        parseLimit(url, APPS_DEFAULT_LIMIT, APPS_MAX_LIMIT),
        (id) => store.getApp(id),
        keep,
      );
      return {
        status: 200,
        body: page.items.map((a) => appBody(a, baseUrl)),
        headers: { Link: linkHeaders(baseUrl, url, page.next) },
      };
    }),

    endpoint(env, 'get', '/api/v1/apps/:appId', 'apps', APPS_READ, (info) => ({
      status: 200,
      body: appBody(store.requireApp(param(info, 'appId')), baseUrl),
    })),

    // Users assigned directly or through a group, in user id order. DEPROVISIONED users are left
    // out: Okta unassigns a deactivated user's apps. `q` is a startsWith on the app username
    // (the login), first name, last name or email.
    endpoint(env, 'get', '/api/v1/apps/:appId/users', 'apps', APPS_READ, (info) => {
      const app = store.requireApp(param(info, 'appId'));
      const params = info.url.searchParams;
      const q = params.get('q')?.toLowerCase();
      const starts = (v: unknown) => typeof v === 'string' && v.toLowerCase().startsWith(q!);
      const page = pageFrom(
        store.appAssigneeIdsAfter(app.id, params.get('after') ?? undefined),
        parseLimit(info.url, APP_USERS_DEFAULT_LIMIT, APP_USERS_MAX_LIMIT),
        (id) => store.appAssignment(app.id, id),
        ({ user }) =>
          user.status !== 'DEPROVISIONED' &&
          (q === undefined ||
            starts(user.profile.login) ||
            starts(user.profile.firstName) ||
            starts(user.profile.lastName) ||
            starts(user.profile.email)),
      );
      const embed = params.get('expand') === 'user';
      return {
        status: 200,
        body: page.items.map((a) => appUserBody(app.id, a, baseUrl, embed)),
        headers: { Link: linkHeaders(baseUrl, info.url, page.next) },
      };
    }),

    // Group assignments in group id order (the cursor is a group id, like every cursor here).
    endpoint(env, 'get', '/api/v1/apps/:appId/groups', 'apps', APPS_READ, (info) => {
      const app = store.requireApp(param(info, 'appId'));
      const grants = new Map(store.appGroupGrants(app.id).map((g) => [g.groupId, g]));
      const ids = [...grants.keys()].sort();
      const after = info.url.searchParams.get('after');
      const page = pageOf(
        ids,
        after === null ? 0 : ids.filter((id) => id <= after).length,
        parseLimit(info.url, APPS_DEFAULT_LIMIT, APPS_MAX_LIMIT),
        (id) => ({ id, grant: grants.get(id)! }),
        () => true,
      );
      return {
        status: 200,
        body: page.items.map(({ grant }) => appGroupBody(app.id, grant, baseUrl)),
        headers: { Link: linkHeaders(baseUrl, info.url, page.next) },
      };
    }),
  ];
}
