import { oktaToken } from './ids.js';
import { API_ACTOR, type NewLogEvent } from './system-log.js';
import type { OktaUserRecord } from './types.js';

/**
 * MFA factors per user (UC-17): `GET /api/v1/users/{userId}/factors`, and the tenant API tests and
 * the seed enrol and reset them with. Each enrolment, activation and reset appends the System Log
 * event Okta documents for it (`user.mfa.factor.activate`, `.deactivate`, `.reset_all`), with the
 * user as actor (an enrolment) or the API client (an admin reset), and the user as target.
 *
 * Modelled: the factor fields accord reads (id, factorType, provider, vendorName, status, created,
 * lastUpdated, profile). Not modelled: enrolment flows (activation codes, challenges), verify.
 * UNCONFIRMED against a real org: that the list is one unpaged array (Okta documents no `limit` or
 * `after` for it) and that enrolling a factor does not move the user's `lastUpdated` (the sandbox
 * leaves it alone, so only the System Log tells a reader a factor changed).
 */

export type OktaFactorType =
  'push' | 'token:software:totp' | 'sms' | 'call' | 'email' | 'question' | 'webauthn' | 'token:hardware';
export type OktaFactorStatus = 'ACTIVE' | 'PENDING_ACTIVATION';

export interface OktaFactorRecord {
  id: string;
  userId: string;
  factorType: OktaFactorType;
  provider: string;
  vendorName: string;
  status: OktaFactorStatus;
  created: string;
  lastUpdated: string;
}

/** Factor id prefixes as Okta's look (`opf` push, `ost` TOTP, `mbl` SMS): UNCONFIRMED but harmless. */
const PREFIX: Record<OktaFactorType, string> = {
  push: 'opf',
  'token:software:totp': 'ost',
  sms: 'mbl',
  call: 'clf',
  email: 'emf',
  question: 'ufs',
  webauthn: 'fwf',
  'token:hardware': 'ykf',
};

const PROVIDER: Record<OktaFactorType, string> = {
  push: 'OKTA',
  'token:software:totp': 'GOOGLE',
  sms: 'OKTA',
  call: 'OKTA',
  email: 'OKTA',
  question: 'OKTA',
  webauthn: 'FIDO',
  'token:hardware': 'YUBICO',
};

/** What the book needs of the store: users, the clock, the System Log. */
export interface FactorBookDeps {
  requireUser(idOrLogin: string): OktaUserRecord;
  now(): number;
  salt(): number;
  log(event: NewLogEvent): void;
}

export class OktaFactorBook {
  private readonly byUser = new Map<string, OktaFactorRecord[]>();
  private seq = 1;

  constructor(private readonly deps: FactorBookDeps) {}

  /** The user's factors, oldest first. */
  of(userIdOrLogin: string): OktaFactorRecord[] {
    const user = this.deps.requireUser(userIdOrLogin);
    return (this.byUser.get(user.id) ?? []).map((f) => ({ ...f }));
  }

  /**
   * Enrols a factor: ACTIVE at once (the default, as when the person finished enrolment) or
   * PENDING_ACTIVATION (enrolled, not yet verified), which `activate` finishes.
   */
  enroll(
    userIdOrLogin: string,
    factorType: OktaFactorType = 'push',
    options: { status?: OktaFactorStatus } = {},
  ): OktaFactorRecord {
    const user = this.deps.requireUser(userIdOrLogin);
    const at = new Date(this.deps.now()).toISOString();
    const factor: OktaFactorRecord = {
      id: `${PREFIX[factorType]}${oktaToken(this.deps.salt() ^ 0xfac7, this.seq++, 17)}`,
      userId: user.id,
      factorType,
      provider: PROVIDER[factorType],
      vendorName: PROVIDER[factorType],
      status: options.status ?? 'ACTIVE',
      created: at,
      lastUpdated: at,
    };
    const list = this.byUser.get(user.id) ?? [];
    list.push(factor);
    this.byUser.set(user.id, list);
    if (factor.status === 'ACTIVE')
      this.event('user.mfa.factor.activate', 'Activate factor for user', user, true);
    return { ...factor };
  }

  /** Finishes a PENDING_ACTIVATION factor's enrolment. */
  activate(userIdOrLogin: string, factorId: string): OktaFactorRecord {
    const user = this.deps.requireUser(userIdOrLogin);
    const factor = (this.byUser.get(user.id) ?? []).find((f) => f.id === factorId);
    if (!factor) throw new Error(`no factor ${factorId} for ${user.profile.login}`);
    factor.status = 'ACTIVE';
    factor.lastUpdated = new Date(this.deps.now()).toISOString();
    this.event('user.mfa.factor.activate', 'Activate factor for user', user, true);
    return { ...factor };
  }

  /** Removes one factor (`DELETE /users/{id}/factors/{factorId}`: `user.mfa.factor.deactivate`). */
  remove(userIdOrLogin: string, factorId: string): void {
    const user = this.deps.requireUser(userIdOrLogin);
    const list = this.byUser.get(user.id) ?? [];
    const at = list.findIndex((f) => f.id === factorId);
    if (at < 0) throw new Error(`no factor ${factorId} for ${user.profile.login}`);
    list.splice(at, 1);
    this.event('user.mfa.factor.deactivate', 'Reset factor for user', user, false);
  }

  /** An admin resets every factor of the user (`POST /users/{id}/lifecycle/reset_factors`: `reset_all`). */
  resetAll(userIdOrLogin: string): void {
    const user = this.deps.requireUser(userIdOrLogin);
    this.byUser.delete(user.id);
    this.event('user.mfa.factor.reset_all', 'Reset all factors for user', user, false);
  }

  /** A deleted user's factors go with it. */
  forgetUser(userId: string): void {
    this.byUser.delete(userId);
  }

  toJSON(): { factors: OktaFactorRecord[]; seq: number } {
    return { factors: [...this.byUser.values()].flat().map((f) => ({ ...f })), seq: this.seq };
  }

  load(data: { factors: OktaFactorRecord[]; seq: number } | undefined): void {
    this.byUser.clear();
    for (const f of data?.factors ?? []) {
      const list = this.byUser.get(f.userId) ?? [];
      list.push({ ...f });
      this.byUser.set(f.userId, list);
    }
    this.seq = data?.seq ?? 1;
  }

  private event(eventType: string, displayMessage: string, user: OktaUserRecord, bySelf: boolean): void {
    const self = {
      id: user.id,
      type: 'User',
      alternateId: user.profile.login,
      displayName:
        [user.profile.firstName, user.profile.lastName].filter(Boolean).join(' ') || user.profile.login,
    };
    this.deps.log({
      eventType,
      displayMessage,
      actor: bySelf ? self : API_ACTOR,
      target: [self],
    });
  }
}

/**
 * The demo org's factors: most people who can sign in enrolled Okta Verify push (every third a
 * TOTP app too), one in twelve never enrolled, and one in twenty-three left an SMS factor
 * PENDING_ACTIVATION (enrolled, never verified: no active factor either). Seeded without System
 * Log events, as if enrolled before the log's retention; enrolled an hour after activation.
 */
export function seedFactors(
  users: readonly OktaUserRecord[],
  salt: number,
): { factors: OktaFactorRecord[]; seq: number } {
  const factors: OktaFactorRecord[] = [];
  let seq = 1;
  const add = (u: OktaUserRecord, factorType: OktaFactorType, status: OktaFactorStatus) => {
    const at = new Date(Date.parse(u.activated ?? u.created) + 3_600_000).toISOString();
    factors.push({
      id: `${PREFIX[factorType]}${oktaToken(salt ^ 0xfac7, seq++, 17)}`,
      userId: u.id,
      factorType,
      provider: PROVIDER[factorType],
      vendorName: PROVIDER[factorType],
      status,
      created: at,
      lastUpdated: at,
    });
  };
  users.forEach((u, i) => {
    if (u.status === 'STAGED' || u.status === 'DEPROVISIONED' || i % 12 === 5) return;
    if (i % 23 === 7) return add(u, 'sms', 'PENDING_ACTIVATION');
    add(u, 'push', 'ACTIVE');
    if (i % 3 === 0) add(u, 'token:software:totp', 'ACTIVE');
  });
  return { factors, seq };
}
