import pLimit from 'p-limit';
import type { AccountFactors } from '../../model/snapshot.js';
import type { EventPosition } from '../event-source.js';
import type { Progress } from '../provider.js';
import { OktaEventSource, LOGS_PAGE } from './events.js';
import { isoTime, type OktaUserLike } from './map-user.js';
import { readFailure } from './okta-errors.js';
import type { OktaSession } from './okta-session.js';

/**
 * MFA factors of Okta accounts (UC-17): `GET /api/v1/users/{id}/factors` (the SDK's
 * `userFactorApi.listFactors`), one call per account, paced in the `user` family like every call
 * under `/users/{id}`. Read only when an `mfa` condition judges Okta people
 * (`SnapshotScope.oktaFactors`), and only for accounts that can sign in (not STAGED, not
 * DEPROVISIONED).
 *
 * What a read leaves in the snapshot cache (`OktaSnapshotBase.factors`) lets the next one re-read
 * only the accounts whose factors may have moved:
 *   - the System Log since the last read (one call per 1000 events, at least one), through
 *     events.ts's `OktaEventSource`; the targets of `user.mfa.factor.*` events (activate,
 *     deactivate, reset_all, update, suspend, unsuspend) are read again;
 *   - accounts the cache does not hold (new, or back from STAGED or DEPROVISIONED) are read.
 * So a read of an unchanged org costs one System Log call and no factor call. A full snapshot
 * read (no cache, `--refresh full`, a last full read older than `settings.fullResyncHours`) reads
 * every account's factors again: that is the periodic re-read that catches whatever the log missed.
 *
 * UNCONFIRMED against a real org: that enrolling or resetting a factor leaves the user's
 * `lastUpdated` alone (if it moves it, the user delta re-reads those users too, which is only
 * redundant), and that every factor change is logged with the user as a `User` target.
 */

/** Event types whose target user's factors are read again. */
export const FACTOR_EVENT_PREFIX = 'user.mfa.factor.';
/** Statuses whose accounts are not read: nobody signs in with them. */
export const FACTORS_UNREAD = new Set(['STAGED', 'DEPROVISIONED']);
/** Factor reads in flight; each waits on the `user` family's rate budget too. */
export const FACTOR_READ_CONCURRENCY = 4;
/**
 * The first pull of the System Log starts this long before the read: events of factor changes
 * the factor reads already saw are skipped over, so they cost log calls only, once.
 */
export const LOG_START_MARGIN_MS = 5 * 60_000;

/** One account's factors as the cache keeps them. */
export type CachedFactors = AccountFactors;

export interface OktaFactorBase {
  /** Where the next System Log pull starts (OktaEventSource's position). */
  log: EventPosition;
  /** By user id: every account read, as last read. */
  users: Record<string, CachedFactors>;
}

export interface FactorRead {
  factors: Record<string, AccountFactors>;
  base: OktaFactorBase;
  /** Factor calls made (one per account read). */
  reads: number;
  /** Why the cached factors were not built on though they were offered (every account was read). */
  fallback?: string;
}

interface FactorLike {
  factorType?: string;
  status?: string;
}

/**
 * Factors of every account in `users` that can sign in. `changed`: ids the user read just returned
 * (their `activated`/`created` are fresh); `base`: what the previous read left.
 */
export async function readFactors(
  session: OktaSession,
  users: readonly OktaUserLike[],
  changed: ReadonlySet<string>,
  base: OktaFactorBase | undefined,
  progress: Progress | undefined,
  now: () => number = Date.now,
): Promise<FactorRead> {
  const log = new OktaEventSource(session);
  let touched: Set<string> | undefined;
  let position: EventPosition;
  let fallback: string | undefined;
  if (base) {
    try {
      const pulled = await drain(log, base.log, new Date(now()).toISOString());
      position = pulled.position;
      touched = pulled.users;
    } catch (error) {
      // A cursor the log no longer honours (or any failure to read it) reads every account again.
      fallback = `the System Log could not be read from the cached position (${firstLine(error)})`;
    }
  }
  if (!touched)
    position = (await drain(log, undefined, new Date(now() - LOG_START_MARGIN_MS).toISOString())).position;

  const cached = touched ? base!.users : {};
  const covered = users.filter((u) => u.id && !FACTORS_UNREAD.has(u.status ?? ''));
  const toRead = covered.filter((u) => !cached[u.id!] || touched!.has(u.id!));
  const limit = pLimit(FACTOR_READ_CONCURRENCY);
  let records = 0;
  const read = new Map<string, string[]>();
  await Promise.all(
    toRead.map((u) =>
      limit(async () => {
        let items: FactorLike[];
        try {
          items = await session.list<FactorLike>('user', () =>
            session.client.userFactorApi.listFactors({ userId: u.id! }),
          );
        } catch (error) {
          // Deleted since the user list: nobody to judge.
          if ((error as { status?: number }).status === 404) return;
          throw readFailure(
            error,
            `the factors of ${String(u.profile?.login ?? u.id)}`,
            session.errorContext,
          );
        }
        read.set(u.id!, activeTypes(items));
        records++;
        progress?.({ platform: 'okta', phase: 'factors', pages: records, records });
      }),
    ),
  );
  if (toRead.length > 0)
    progress?.({ platform: 'okta', phase: 'factors', pages: records, records, done: true });

  const factors: Record<string, AccountFactors> = {};
  for (const u of covered) {
    const old = cached[u.id!];
    const active = read.get(u.id!) ?? old?.active;
    if (active === undefined) continue;
    const graceFrom = changed.has(u.id!) || !old ? graceStart(u) : old.graceFrom;
    factors[u.id!] = { active, graceFrom };
  }
  return {
    factors,
    base: { log: position!, users: factors },
    reads: toRead.length,
    ...(fallback ? { fallback } : {}),
  };
}

/** Follows the log to its end; the users whose factors a `user.mfa.factor.*` event says moved. */
async function drain(
  log: OktaEventSource,
  from: EventPosition | undefined,
  since: string,
): Promise<{ position: EventPosition; users: Set<string> }> {
  const users = new Set<string>();
  let position = from;
  for (;;) {
    const page = await log.readPage(position, { since, limit: LOGS_PAGE });
    for (const e of page.events as LogEventLike[]) {
      if (!e.eventType?.startsWith(FACTOR_EVENT_PREFIX)) continue;
      const targets = (e.target ?? []).filter((t) => t.type === 'User' && t.id);
      for (const t of targets.length > 0 ? targets : e.actor?.type === 'User' ? [e.actor] : [])
        users.add(t.id!);
    }
    position = page.position;
    if (!page.more) return { position, users };
  }
}

interface LogEventLike {
  eventType?: string;
  actor?: { id?: string; type?: string };
  target?: { id?: string; type?: string }[] | null;
}

/** Sorted distinct types of the ACTIVE factors. */
export const activeTypes = (factors: readonly FactorLike[]): string[] =>
  [...new Set(factors.filter((f) => f.status === 'ACTIVE').map((f) => f.factorType ?? 'unknown'))].sort();

/** The account's activation, else its creation (UC-17's grace start). */
export function graceStart(user: OktaUserLike): string | null {
  const u = user as { activated?: unknown; created?: unknown };
  return isoTime(u.activated) ?? isoTime(u.created) ?? null;
}

/** A factor base read back from disk; undefined when anything is off (everything is read again). */
export function parseFactorBase(value: unknown): OktaFactorBase | undefined {
  if (!isRecord(value) || !isRecord(value.log) || !isRecord(value.users)) return undefined;
  for (const v of Object.values(value.log))
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  for (const f of Object.values(value.users)) {
    if (!isRecord(f) || !Array.isArray(f.active) || !f.active.every((t) => typeof t === 'string'))
      return undefined;
    if (f.graceFrom !== null && typeof f.graceFrom !== 'string') return undefined;
  }
  return value as unknown as OktaFactorBase;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!.slice(0, 200);
