import { badRequest } from './errors.js';

/**
 * v2 list paging. Clients send `limit` and `page`, or `cursor` taken from the `After-Cursor` /
 * `Before-Cursor` header of the previous response; the Go SDK loops until `After-Cursor` is absent.
 *
 * The cursor is opaque to clients. Like the documented example (`bGltaXQ9MTAwMCZwYWdlPTM%3D` is
 * base64 of `limit=1000&page=3`) it is base64 of a query string; ours also carries the list's
 * filters, so a client that sends only `cursor=` (as the docs show) gets the same list. When a
 * cursor is present it decides the query; other parameters in the request are ignored.
 *
 * Headers are raw base64 (may contain `+`, `/`, `=`). Decoding is lenient about what clients do
 * to it on the way back: URL-encoded once more (`%3D`), or `+` turned into a space by a naive
 * query-string build.
 */

export interface PagingLimits {
  defaultLimit: number;
  maxLimit: number;
}

export interface ListQuery {
  /** The effective query: filters plus `limit` and `page`, with `cursor` resolved. */
  params: URLSearchParams;
  limit: number;
  page: number;
}

export function encodeCursor(params: URLSearchParams): string {
  return Buffer.from(params.toString(), 'utf8').toString('base64');
}

function decodeCursor(raw: string): URLSearchParams {
  let text = raw.replace(/ /g, '+');
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      throw badRequest('Invalid cursor');
    }
  }
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(text)) throw badRequest('Invalid cursor');
  const params = new URLSearchParams(Buffer.from(text, 'base64').toString('utf8'));
  if (!params.has('page') || !params.has('limit')) throw badRequest('Invalid cursor');
  return params;
}

function positiveInt(value: string | null, name: string): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw badRequest(`${name} must be a positive integer`);
  return Number(value);
}

export function readListQuery(url: URL, limits: PagingLimits): ListQuery {
  const cursor = url.searchParams.get('cursor');
  const params = cursor ? decodeCursor(cursor) : new URLSearchParams(url.searchParams);
  params.delete('cursor');
  // Over-large limits are clamped rather than refused, as list APIs commonly do.
  const limit = Math.min(positiveInt(params.get('limit'), 'limit') ?? limits.defaultLimit, limits.maxLimit);
  const page = positiveInt(params.get('page'), 'page') ?? 1;
  params.set('limit', String(limit));
  params.set('page', String(page));
  return { params, limit, page };
}

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

/**
 * One page of an ordered id list: O(limit) work. `Before-Cursor` is absent on the first page and
 * `After-Cursor` on the last; `Link` carries the same cursors as absolute URLs.
 */
export function pageOf<T>(
  ids: readonly number[],
  query: ListQuery,
  listUrl: string,
  render: (id: number) => T,
): Page<T> {
  const total = ids.length;
  const totalPages = Math.ceil(total / query.limit);
  const start = (query.page - 1) * query.limit;
  const items = ids.slice(start, start + query.limit).map(render);
  const cursorFor = (page: number) => {
    const p = new URLSearchParams(query.params);
    p.set('page', String(page));
    return encodeCursor(p);
  };
  const headers: Record<string, string> = {
    'Current-Page': String(query.page),
    'Page-Items': String(items.length),
    'Total-Count': String(total),
    'Total-Pages': String(totalPages),
  };
  const links: string[] = [];
  const link = (page: number, rel: string) =>
    links.push(`<${listUrl}?cursor=${encodeURIComponent(cursorFor(page))}>; rel="${rel}"`);
  if (query.page > 1 && totalPages > 0) {
    const prev = Math.min(query.page - 1, totalPages);
    headers['Before-Cursor'] = cursorFor(prev);
    link(prev, 'prev');
  }
  if (query.page < totalPages) {
    headers['After-Cursor'] = cursorFor(query.page + 1);
    link(query.page + 1, 'next');
  }
  if (totalPages > 0) {
    link(1, 'first');
    link(totalPages, 'last');
  }
  if (links.length) headers.Link = links.join(', ');
  return { items, headers };
}

/** `fields=a,b`: only those attributes (and always `id`, as the docs say). */
export function pickFields(params: URLSearchParams): ((o: object) => object) | undefined {
  const raw = params.get('fields');
  if (!raw) return undefined;
  const fields = new Set(
    raw
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean),
  );
  fields.add('id');
  return (o) => Object.fromEntries(Object.entries(o).filter(([k]) => fields.has(k)));
}

/** OneLogin search values: exact (case-insensitive) unless they contain `*` wildcards. */
export function matcher(pattern: string): (value: string | null | undefined) => boolean {
  const p = pattern.toLowerCase();
  if (!p.includes('*')) return (v) => v != null && v.toLowerCase() === p;
  const re = new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`, 's');
  return (v) => v != null && re.test(v.toLowerCase());
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
