import type { EventPage, EventPosition, EventSource } from '../event-source.js';
import { readFailure } from './okta-errors.js';
import type { OktaSession } from './okta-session.js';

/** "Integer between 0 and 1000" (System Log API, `limit`). */
export const LOGS_PAGE = 1000;

/**
 * The Okta System Log (`GET /api/v1/logs`) through the SDK's `systemLogApi.listLogEvents`, as a
 * polling request (ascending, no `until`): Okta then always returns a `next` link, and following
 * it is the documented way to tail the log. The position is that link's `after` (with the
 * `since` it was opened with), so the next pull, in this process or another, asks for exactly
 * the events that came after the last page.
 *
 * One request per page; a page shorter than `limit` ends the pull (the next pull follows its
 * `next` link), so a pull of n new events costs floor(n / limit) + 1 calls.
 */
export class OktaEventSource implements EventSource {
  readonly platform = 'okta' as const;
  readonly maxPageSize = LOGS_PAGE;

  constructor(private readonly session: OktaSession) {}

  async readPage(
    position: EventPosition | undefined,
    options: { since: string; limit: number },
  ): Promise<EventPage> {
    const since = typeof position?.since === 'string' ? position.since : options.since;
    const after = typeof position?.after === 'string' ? position.after : undefined;
    const limit = Math.min(options.limit, LOGS_PAGE);
    try {
      await this.session.signIn();
      const collection = await this.session.client.systemLogApi.listLogEvents({
        since,
        ...(after !== undefined ? { after } : {}),
        limit,
        sortOrder: 'ASCENDING',
      });
      const items = (await this.session.call('logs', () => collection.getNextPage())) as unknown[];
      // The SDK's LogEvent models turn `published` into a Date; JSON gives back the API's shape.
      const skip = new Set(typeof position?.skip === 'string' ? position.skip.split(',') : []);
      const events = items
        .map((item) => JSON.parse(JSON.stringify(item)) as { uuid?: string; published?: string })
        .filter((e) => !skip.has(e.uuid ?? ''));
      const next = collection.nextUri ? new URL(collection.nextUri).searchParams.get('after') : null;
      const nextPosition = next ? { since, after: next } : resumeAfter(events, since, skip);
      return { events, position: nextPosition, more: next !== null && items.length >= limit };
    } catch (error) {
      throw readFailure(error, 'the System Log', this.session.errorContext);
    }
  }
}

/**
 * Without a next link (an answer that is not a polling one), the next read starts at the last
 * event's time and skips the events of that very time it has seen: `since` is inclusive.
 */
function resumeAfter(
  events: { uuid?: string; published?: string }[],
  since: string,
  skipped: Set<string>,
): EventPosition {
  const last = events.at(-1)?.published;
  if (last === undefined) return skipped.size ? { since, skip: [...skipped].join(',') } : { since };
  const same = events.filter((e) => e.published === last).map((e) => e.uuid ?? '');
  return { since: last, skip: (last === since ? [...skipped, ...same] : same).join(',') };
}
