/**
 * Cursor paging as Okta does it: `limit` plus an opaque `after` cursor, and absolute `Link`
 * headers (rel="self" and, while more may follow, rel="next") that clients follow verbatim.
 * Here the cursor is the last id of the page, so a page is a binary search plus a slice.
 */

export function parseLimit(url: URL, fallback: number, max: number): number {
  const raw = url.searchParams.get('limit');
  if (raw === null || raw === '') return fallback;
  const n = Number.parseInt(raw, 10);
  // UNCONFIRMED: Okta's answer to a non-positive limit; we use the default, and cap at the maximum.
  if (!Number.isFinite(n) || n <= 0) return fallback;
  return Math.min(n, max);
}

export interface Page<T> {
  items: T[];
  /** Cursor for the next page; absent on the last page. */
  next?: string;
}

/**
 * Walks `ids` from `start`, keeping what `keep` accepts, until the page is full; then looks ahead for
 * one more match so the last page carries no next link. Cost: the page plus what `keep` skips.
 */
export function pageOf<T extends { id: string }>(
  ids: readonly string[],
  start: number,
  limit: number,
  get: (id: string) => T | undefined,
  keep: (item: T) => boolean,
): Page<T> {
  return pageFrom(from(ids, start), limit, get, keep);
}

/** `pageOf` over ids that come in order from anywhere (a merge of several sorted lists). */
export function pageFrom<T extends { id: string }>(
  ids: Iterable<string>,
  limit: number,
  get: (id: string) => T | undefined,
  keep: (item: T) => boolean,
): Page<T> {
  const items: T[] = [];
  for (const id of ids) {
    const item = get(id);
    if (!item || !keep(item)) continue;
    if (items.length === limit) return { items, next: items[items.length - 1]!.id };
    items.push(item);
  }
  return { items };
}

function* from(ids: readonly string[], start: number): Generator<string> {
  for (let i = start; i < ids.length; i++) yield ids[i]!;
}

const encodeQuery = (params: [string, string][]) =>
  params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/** `Link` header values: self (the request as made) and next (same query, `after` replaced). */
export function linkHeaders(baseUrl: string, url: URL, next: string | undefined): string[] {
  const basePath = new URL(baseUrl).pathname.replace(/\/$/, '');
  const path = `${baseUrl}${url.pathname.slice(basePath.length)}`;
  const params = [...url.searchParams.entries()];
  const self = params.length ? `${path}?${encodeQuery(params)}` : path;
  const links = [`<${self}>; rel="self"`];
  if (next !== undefined) {
    const rest = params.filter(([k]) => k !== 'after');
    links.push(`<${path}?${encodeQuery([['after', next], ...rest])}>; rel="next"`);
  }
  return links;
}
