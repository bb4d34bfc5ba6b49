import { HttpResponse, type HttpHandler } from 'msw';
import { route } from '../../instrument.js';
import { api, type OneLoginContext } from '../auth.js';
import { badRequest } from '../errors.js';
import { eventTypeRows, type OneLoginEvent } from '../events.js';
import { parseDate } from './common.js';

/** "limit: 50 max (default)" (v1 Get Events docs). */
export const EVENTS_MAX_LIMIT = 50;

/** The v1 envelope: `{status, pagination?, data}`. */
const ok = (data: unknown, pagination?: Record<string, string | null>) => ({
  status: { error: false, code: 200, type: 'success', message: 'Success' },
  ...(pagination ? { pagination } : {}),
  data,
});

/**
 * `GET /api/1/events` (v1): filters `since`, `until`, `event_type_id`, `user_id`; `limit` up to
 * 50; `sort` `+id`/`id` (ascending) or `-id` (descending, our default: UNCONFIRMED); paging by
 * `after_cursor` from `pagination.after_cursor` (also in `pagination.next_link`). A cursor is
 * base64 of the query and the last id returned, so it carries the filters and stays valid; it is
 * absent on the last page. `GET /api/1/events/types` lists the event types.
 */
export function eventHandlers(ctx: OneLoginContext): HttpHandler[] {
  const { store, tenant } = ctx;
  const listUrl = `${tenant.baseUrl}/api/1/events`;

  const list = (url: URL): Response => {
    const raw = url.searchParams.get('after_cursor');
    const params = raw ? decode(raw) : new URLSearchParams(url.searchParams);
    const limitRaw = url.searchParams.get('limit') ?? params.get('limit');
    const limit = Math.min(limitRaw && /^\d+$/.test(limitRaw) ? Number(limitRaw) || 1 : 50, EVENTS_MAX_LIMIT);
    const since = params.get('since');
    const until = params.get('until');
    const sinceMs = since ? parseDate(since, 'since') : undefined;
    const untilMs = until ? parseDate(until, 'until') : undefined;
    const type = params.get('event_type_id');
    const user = params.get('user_id');
    const sort = params.get('sort') ?? '-id';
    if (!['+id', 'id', '-id', ' id'].includes(sort)) throw badRequest('sort must be +id or -id');
    const ascending = sort !== '-id';
    const afterId = params.get('after_id');
    const keep = (e: OneLoginEvent) => {
      const t = Date.parse(e.created_at);
      return (
        (sinceMs === undefined || t >= sinceMs) &&
        (untilMs === undefined || t <= untilMs) &&
        (type === null || e.event_type_id === Number(type)) &&
        (user === null || e.user_id === Number(user)) &&
        (afterId === null || (ascending ? e.id > Number(afterId) : e.id < Number(afterId)))
      );
    };
    const all = store.events.all();
    const items: OneLoginEvent[] = [];
    let more = false;
    for (let i = 0; i < all.length; i++) {
      const e = all[ascending ? i : all.length - 1 - i]!;
      if (!keep(e)) continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(e);
    }
    let after: string | null = null;
    if (more) {
      const next = new URLSearchParams(params);
      next.set('after_id', String(items.at(-1)!.id));
      after = Buffer.from(next.toString(), 'utf8').toString('base64');
    }
    return HttpResponse.json(
      ok(items, {
        before_cursor: null,
        after_cursor: after,
        previous_link: null,
        next_link: after ? `${listUrl}?after_cursor=${encodeURIComponent(after)}` : null,
      }),
    );
  };

  return [
    route(
      tenant,
      'get',
      '/api/1/events/types',
      api(ctx, () => HttpResponse.json(ok(eventTypeRows()))),
    ),
    route(
      tenant,
      'get',
      '/api/1/events',
      api(ctx, ({ url }) => list(url)),
    ),
  ];
}

function decode(raw: string): URLSearchParams {
  const text = raw.replace(/ /g, '+');
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(text)) throw badRequest('Invalid cursor');
  const params = new URLSearchParams(Buffer.from(text, 'base64').toString('utf8'));
  if (!params.has('after_id')) throw badRequest('Invalid cursor');
  return params;
}
