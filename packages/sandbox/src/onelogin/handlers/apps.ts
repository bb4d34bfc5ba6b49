import { HttpResponse, type HttpHandler } from 'msw';
import { route } from '../../instrument.js';
import { api, type OneLoginContext } from '../auth.js';
import { notFound } from '../errors.js';
import { matcher, pageOf, readListQuery, type PagingLimits } from '../paging.js';
import type { OneLoginAppUser } from '../types.js';
import { pathId } from './common.js';

/** App users: "Standard pagination is supported. Max page limit is 1000" (list-app-users docs). */
export const APP_USER_PAGING: PagingLimits = { defaultLimit: 50, maxLimit: 1000 };
/** Apps: the docs give no maximum (UNCONFIRMED); we use the app users' figures. */
export const APP_PAGING: PagingLimits = { defaultLimit: 50, maxLimit: 1000 };

export function appHandlers(ctx: OneLoginContext): HttpHandler[] {
  const { store, tenant } = ctx;
  const listUrl = `${tenant.baseUrl}/api/2/apps`;

  return [
    route(
      tenant,
      'get',
      '/api/2/apps',
      api(ctx, ({ url }) => {
        const query = readListQuery(url, APP_PAGING);
        // `name`: exact and case-insensitive unless it holds `*` wildcards, like the other v2
        // search values (UNCONFIRMED for apps, see the README).
        const name = query.params.get('name');
        const match = name ? matcher(name) : undefined;
        const all = store.appIds();
        const ids = match ? all.filter((id) => match(store.appRef(id)!.name)) : all;
        const page = pageOf(ids, query, listUrl, (id) => store.appRef(id)!);
        return HttpResponse.json(page.items, { headers: page.headers });
      }),
    ),
    route(
      tenant,
      'get',
      '/api/2/apps/:app_id/users',
      api(ctx, (info) => {
        const appId = pathId(info, 'app_id');
        if (!store.appRef(appId)) throw notFound();
        const query = readListQuery(info.url, APP_USER_PAGING);
        const page = pageOf(
          store.appUserIds(appId),
          query,
          `${tenant.baseUrl}/api/2/apps/${appId}/users`,
          (id): OneLoginAppUser => {
            const u = store.userRef(id)!;
            return {
              id: u.id,
              firstname: u.firstname,
              lastname: u.lastname,
              email: u.email,
              username: u.username,
            };
          },
        );
        return HttpResponse.json(page.items, { headers: page.headers });
      }),
    ),
  ];
}
