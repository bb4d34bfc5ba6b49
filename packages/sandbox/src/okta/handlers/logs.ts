import type { HttpHandler } from 'msw';
import { validationFailed } from '../errors.js';
import { endpoint, type OktaEnv, type Reply } from '../http.js';
import { linkHeaders, parseLimit } from '../paging.js';
import { OktaSystemLog, type OktaLogEvent } from '../system-log.js';

/**
 * An OAuth service app needs `okta.logs.read`, which the seeded one is not granted (register one
 * with it: `store.registerOAuthClient({ scopes: [..., 'okta.logs.read'] })`); SSWS tokens read it.
 */
export const LOGS_READ = ['okta.logs.read'] as const;

/** "Integer between 0 and 1000" (SDK docs); 100 by default. */
export const LOGS_DEFAULT_LIMIT = 100;
export const LOGS_MAX_LIMIT = 1000;

/**
 * `GET /api/v1/logs`, as the System Log API documents its two request kinds:
 * - polling (no `until`): ascending, and the `next` link is always there, even on an empty page,
 *   so a client tails the log by following it (the documented way to poll);
 * - bounded (`until` given): `since` ≤ published < `until`, with a `next` link only while more
 *   events match.
 * `after` is the cursor of the `next` link. `filter` and `q` are not modelled (400), nor is
 * `sortOrder=DESCENDING` for polling requests (Okta refuses it too, as far as we know: UNCONFIRMED).
 */
export function logHandlers(env: OktaEnv): HttpHandler[] {
  const { store, baseUrl } = env;

  const time = (url: URL, name: string): number | undefined => {
    const raw = url.searchParams.get(name);
    if (raw === null || raw === '') return undefined;
    const t = Date.parse(raw);
    if (Number.isNaN(t)) throw validationFailed(name, `${name}: must be an ISO 8601 timestamp`);
    return t;
  };

  const list = (url: URL): Reply => {
    const params = url.searchParams;
    if (params.get('filter') !== null || params.get('q') !== null)
      throw validationFailed('filter', 'filter and q are not modelled by the sandbox');
    const limit = parseLimit(url, LOGS_DEFAULT_LIMIT, LOGS_MAX_LIMIT);
    const until = time(url, 'until');
    const polling = until === undefined;
    // UNCONFIRMED: Okta defaults `since` to 7 days before `until` (or now); so does the sandbox.
    const since = time(url, 'since') ?? (until ?? store.now()) - 7 * 24 * 3600_000;
    const descending = (params.get('sortOrder') ?? 'ASCENDING').toUpperCase() === 'DESCENDING';
    if (descending && polling)
      throw validationFailed('sortOrder', 'sortOrder: DESCENDING requires until (a bounded request)');
    const after = params.get('after');
    const start = after === null ? 0 : OktaSystemLog.positionOf(after);
    if (start === undefined) throw validationFailed('after', 'after: not a cursor this log handed out');

    const all = store.log.all();
    const keep = (e: OktaLogEvent) => {
      const t = Date.parse(e.published);
      return t >= since && (until === undefined || t < until);
    };
    const items: OktaLogEvent[] = [];
    let position = start;
    let more = false;
    if (descending) {
      // Bounded and descending: `after` counts events from the newest end.
      const matching = all.filter(keep).reverse();
      for (const e of matching.slice(start, start + limit)) items.push(e);
      position = start + items.length;
      more = position < matching.length;
    } else {
      for (; position < all.length; position++) {
        const e = all[position]!;
        if (!keep(e)) continue;
        if (items.length === limit) {
          more = true;
          break;
        }
        items.push(e);
      }
      // Nothing from `position` on was returned: the next page starts there.
    }
    const next = polling || more ? OktaSystemLog.cursorAt(position) : undefined;
    return { status: 200, body: items, headers: { Link: linkHeaders(baseUrl, url, next) } };
  };

  return [endpoint(env, 'get', '/api/v1/logs', 'logs', LOGS_READ, ({ url }) => list(url))];
}
