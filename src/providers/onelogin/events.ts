import type { EventPage, EventPosition, EventSource } from '../event-source.js';
import { OneLoginHttpError, type OneLoginClient } from './client.js';

/** "limit: 50 max (default)" (API v1 Get Events). */
export const EVENTS_PAGE = 50;

/**
 * A page, and for a read resumed from a `since` time and last id (no cursor) whether that last
 * event came back: `since` is inclusive, so when it does not, the log no longer holds where the
 * last read stopped (retention, a restore) and events may have been missed.
 */
export interface OneLoginEventPage extends EventPage {
  resumed?: boolean;
}

interface EventsAnswer {
  data?: unknown;
  pagination?: { after_cursor?: string | null } | null;
}

/**
 * OneLogin's events (`GET /api/1/events`, API v1: v2 has no events endpoint), ascending by id
 * (`sort=+id`), from `since`, following `pagination.after_cursor` page by page. The position is
 * that cursor while there is one; after the last page (no cursor) it is the last event's
 * `created_at` and id, and the next read asks `since` that time and skips ids up to it.
 * Whether OneLogin's cursors stay valid across hours is UNCONFIRMED; the sandbox's do.
 *
 * One request per page of up to 50 events: a pull of n new events costs ceil((n + 1) / 50) calls
 * (`since` is inclusive: the previous pull's last event comes again, and is skipped), plus one
 * token request per process.
 */
export class OneLoginEventSource implements EventSource {
  readonly platform = 'onelogin' as const;
  readonly maxPageSize = EVENTS_PAGE;

  constructor(private readonly client: OneLoginClient) {}

  async readPage(
    position: EventPosition | undefined,
    options: { since: string; limit: number },
  ): Promise<OneLoginEventPage> {
    const limit = Math.min(options.limit, EVENTS_PAGE);
    const since = typeof position?.since === 'string' ? position.since : options.since;
    const cursor = typeof position?.afterCursor === 'string' ? position.afterCursor : undefined;
    const lastId = typeof position?.lastId === 'number' ? position.lastId : undefined;
    const path = 'api/1/events';
    const { body, headers } = await this.client.request<EventsAnswer>('GET', path, {
      searchParams: cursor ? { after_cursor: cursor, limit } : { since, sort: '+id', limit },
    });
    if (!body || !Array.isArray(body.data))
      throw new OneLoginHttpError('GET', path, 200, headers, 'expected {data: [...]} of events');
    const all = body.data as { id?: unknown; created_at?: unknown }[];
    const events = lastId === undefined ? all : all.filter((e) => typeof e.id === 'number' && e.id > lastId);
    const last = all.at(-1);
    // Never backwards: a read from `since` sees again the events of that time it already gave.
    const newLastId = typeof last?.id === 'number' ? Math.max(last.id, lastId ?? last.id) : lastId;
    const after = body.pagination?.after_cursor;
    const next: EventPosition = after
      ? { since, afterCursor: after }
      : { since: typeof last?.created_at === 'string' ? last.created_at : since };
    if (newLastId !== undefined) next.lastId = newLastId;
    const resumed = !cursor && lastId !== undefined ? all.some((e) => e.id === lastId) : undefined;
    return { events, position: next, more: Boolean(after), ...(resumed !== undefined ? { resumed } : {}) };
  }
}
