/**
 * The event-source contract (UC-18): a platform's audit events read page by page from a position
 * that survives the process. The engine keeps the position durably; the events stage normalises
 * what a page returns. A source reads only, and never decides what was delivered.
 */

/** The identity providers whose login and admin events accord reads. */
export type EventPlatform = 'okta' | 'onelogin';

/**
 * Where the next read starts, as JSON: opaque to everyone but the source that made it (Okta's
 * `after` cursor of the `next` link; OneLogin's `after_cursor`, or a `since` time and last id).
 */
export type EventPosition = Record<string, string | number>;

export interface EventPage {
  /** The platform's events as its API returned them, oldest first. */
  events: unknown[];
  /** Where the read after this page starts. */
  position: EventPosition;
  /** Whether another page may follow right away; false once the source has no more for now. */
  more: boolean;
}

export interface EventSource {
  readonly platform: EventPlatform;
  /** The largest page the API gives. */
  readonly maxPageSize: number;
  /**
   * One page from `position`; without one (the first pull), from `since` (ISO 8601). `limit` is
   * at most `maxPageSize`.
   */
  readPage(
    position: EventPosition | undefined,
    options: { since: string; limit: number },
  ): Promise<EventPage>;
}
