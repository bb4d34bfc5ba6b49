import pLimit from 'p-limit';
import type { AccountFactors } from '../../model/snapshot.js';
import type { Progress } from '../provider.js';
import type { WireUser } from './attributes.js';
import { isHttpError, PLATFORM, type OneLoginClient } from './client.js';
import { accountStatus } from './status.js';

/**
 * MFA devices of OneLogin accounts (UC-17): `GET /api/2/mfa/users/{user_id}/devices` ("Get
 * Enrolled Authentication Factors", v2), one call per account through the client (token, the
 * account-wide hourly budget, retries), 4 in flight. Read only when an `mfa` condition judges
 * OneLogin people (`SnapshotScope.oneloginFactors`), and only for accounts that can sign in or may
 * again (not staged, not deprovisioned).
 *
 * The answer is a bare array of `{device_id, user_display_name, type_display_name,
 * auth_factor_name, default}` (the docs' sample). Every device listed counts as enrolled, unless
 * it carries `active: false` (v1's "registered, never used"; whether v2 sends `active`, and
 * whether it lists such devices at all, is UNCONFIRMED). The factor's name is `auth_factor_name`.
 * The docs say the list holds the factors "that can be verified via API": a factor outside that
 * (if any) would read as no MFA (UNCONFIRMED).
 *
 * What a read leaves in the snapshot cache lets the next one re-read only the accounts whose
 * devices may have moved: those a device event (23 registered, 24 deregistered; event-feed.ts)
 * names since the cached events position, and accounts the cache does not hold (new, back from
 * staged or deprovisioned). A full snapshot read reads every account's devices again.
 */

export const DEVICE_READ_CONCURRENCY = 4;

export const devicesPath = (userId: number): string => `api/2/mfa/users/${userId}/devices`;

interface DeviceRow {
  device_id?: unknown;
  auth_factor_name?: unknown;
  type_display_name?: unknown;
  active?: unknown;
}

export interface DeviceRead {
  /** By account id: every covered account read or kept from the cache. */
  factors: Record<string, AccountFactors>;
  /** Device calls made. */
  reads: number;
}

/** Whether OneLogin would let this account sign in now or after a re-activation (not staged, not a leaver). */
export const covered = (u: WireUser): boolean => {
  const status = accountStatus(u.status, u.state);
  return status !== 'staged' && status !== 'deprovisioned';
};

/**
 * Devices of every covered user in `users`. `cached` (by id) is what the last read left, usable
 * only with `touched`, the ids an event says moved; without `cached` every covered user is read.
 * `fresh`: ids the user read just returned (their `activated_at`/`created_at` are current).
 */
export async function readDevices(
  client: OneLoginClient,
  users: readonly WireUser[],
  fresh: ReadonlySet<number>,
  cached: Readonly<Record<string, AccountFactors>> | undefined,
  touched: ReadonlySet<string>,
  progress: Progress | undefined,
): Promise<DeviceRead> {
  const old = cached ?? {};
  const all = users.filter(covered);
  const toRead = all.filter((u) => !old[String(u.id)] || touched.has(String(u.id)));
  const limit = pLimit(DEVICE_READ_CONCURRENCY);
  const read = new Map<number, string[]>();
  let records = 0;
  await Promise.all(
    toRead.map((u) =>
      limit(async () => {
        let rows: DeviceRow[];
        try {
          const { body } = await client.request<DeviceRow[]>('GET', devicesPath(u.id));
          rows = Array.isArray(body) ? body : [];
        } catch (error) {
          // Deleted since the user list: nobody to judge.
          if (isHttpError(error, 404)) return;
          throw error;
        }
        read.set(u.id, enrolledFactors(rows));
        records++;
        progress?.({ platform: PLATFORM, phase: 'devices', pages: records, records });
      }),
    ),
  );
  if (toRead.length > 0)
    progress?.({ platform: PLATFORM, phase: 'devices', pages: records, records, done: true });

  const factors: Record<string, AccountFactors> = {};
  for (const u of all) {
    const key = String(u.id);
    const before = old[key];
    const active = read.get(u.id) ?? before?.active;
    if (active === undefined) continue;
    const graceFrom = fresh.has(u.id) || !before ? graceStart(u) : before.graceFrom;
    factors[key] = { active, graceFrom };
  }
  return { factors, reads: toRead.length };
}

/** Sorted distinct factor names of the devices that count (not `active: false`). */
export const enrolledFactors = (rows: readonly DeviceRow[]): string[] =>
  [
    ...new Set(
      rows
        .filter((d) => d.active !== false)
        .map((d) =>
          typeof d.auth_factor_name === 'string' && d.auth_factor_name !== ''
            ? d.auth_factor_name
            : typeof d.type_display_name === 'string' && d.type_display_name !== ''
              ? d.type_display_name
              : 'unknown',
        ),
    ),
  ].sort();

/** The account's activation, else its creation (UC-17's grace start). */
export function graceStart(user: WireUser): string | null {
  const u = user as { activated_at?: unknown; created_at?: unknown };
  return timeOf(u.activated_at) ?? timeOf(u.created_at) ?? null;
}

const timeOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' && !Number.isNaN(Date.parse(value)) ? value : undefined;

/** Cached devices read back from disk; undefined when anything is off (everyone is read again). */
export function parseDevices(value: unknown): Record<string, AccountFactors> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  for (const f of Object.values(value as Record<string, unknown>)) {
    if (typeof f !== 'object' || f === null) return undefined;
    const { active, graceFrom } = f as { active?: unknown; graceFrom?: unknown };
    if (!Array.isArray(active) || !active.every((t) => typeof t === 'string')) return undefined;
    if (graceFrom !== null && typeof graceFrom !== 'string') return undefined;
  }
  return value as Record<string, AccountFactors>;
}
