import type { NewEvent } from './events.js';
import type { OneLoginUser } from './types.js';

/**
 * MFA devices per user (UC-17): `GET /api/2/mfa/users/{user_id}/devices`, and the tenant API tests
 * and the seed enrol and remove them with. Each enrolment appends event 23
 * (`USER_OTP_DEVICE_REGISTERED`, UNCONFIRMED id) and each removal event 24
 * (`USER_OTP_DEVICE_DEREGISTERED`), with the user as `user_id` and the device as `otp_device_*`.
 *
 * The documented answer (api-docs/2/multi-factor-authentication/enrolled-factors) is a bare array
 * of `{device_id (string), user_display_name, type_display_name, auth_factor_name, default}`.
 * `active` (v1's "used successfully at least once" flag) is not in the v2 sample: the emulator adds
 * it (UNCONFIRMED) so a device registered but never used can be told apart; accord counts a device
 * unless `active` is `false`.
 */

export type OneLoginFactorName =
  'OneLogin' | 'SMS' | 'OneLogin Voice' | 'OneLogin Email' | 'Google Authenticator';

/** Display names as the docs' sample shows them. */
const DISPLAY: Record<OneLoginFactorName, string> = {
  OneLogin: 'OneLogin Protect',
  SMS: 'OneLogin SMS',
  'OneLogin Voice': 'OneLogin Voice',
  'OneLogin Email': 'OneLogin Email',
  'Google Authenticator': 'Authenticator',
};

export interface OneLoginDeviceRecord {
  device_id: number;
  user_id: number;
  auth_factor_name: OneLoginFactorName;
  type_display_name: string;
  user_display_name: string;
  default: boolean;
  /** false: registered, never used (UNCONFIRMED in v2). */
  active: boolean;
  created_at: string;
}

/** A device as the v2 API returns it (plus the emulator's `active`). */
export const deviceBody = (d: OneLoginDeviceRecord) => ({
  device_id: String(d.device_id),
  user_display_name: d.user_display_name,
  type_display_name: d.type_display_name,
  auth_factor_name: d.auth_factor_name,
  default: d.default,
  active: d.active,
});

export const FIRST_DEVICE_ID = 3_920_001;

/** What the book needs of the store: users, the clock, the event log. */
export interface DeviceBookDeps {
  requireUser(idOrUsername: number | string): OneLoginUser;
  now(): number;
  log(event: NewEvent): void;
}

export class OneLoginDeviceBook {
  private readonly byUser = new Map<number, OneLoginDeviceRecord[]>();
  private nextId = FIRST_DEVICE_ID;

  constructor(private readonly deps: DeviceBookDeps) {}

  /** The user's devices, oldest first (copies). */
  of(idOrUsername: number | string): OneLoginDeviceRecord[] {
    const user = this.deps.requireUser(idOrUsername);
    return (this.byUser.get(user.id) ?? []).map((d) => ({ ...d }));
  }

  /** Registers a device: in use at once (the default), or `active: false` (registered, never used). */
  enroll(
    idOrUsername: number | string,
    factor: OneLoginFactorName = 'OneLogin',
    options: { active?: boolean } = {},
  ): OneLoginDeviceRecord {
    const user = this.deps.requireUser(idOrUsername);
    const list = this.byUser.get(user.id) ?? [];
    const device: OneLoginDeviceRecord = {
      device_id: this.nextId++,
      user_id: user.id,
      auth_factor_name: factor,
      type_display_name: DISPLAY[factor],
      user_display_name: DISPLAY[factor],
      default: list.length === 0,
      active: options.active ?? true,
      created_at: new Date(this.deps.now()).toISOString(),
    };
    list.push(device);
    this.byUser.set(user.id, list);
    this.event('USER_OTP_DEVICE_REGISTERED', user, device, true);
    return { ...device };
  }

  /** Removes one device (an admin or the user deregistered it): event 24. */
  remove(idOrUsername: number | string, deviceId: number): void {
    const user = this.deps.requireUser(idOrUsername);
    const list = this.byUser.get(user.id) ?? [];
    const at = list.findIndex((d) => d.device_id === deviceId);
    if (at < 0) throw new Error(`no device ${deviceId} for ${user.username ?? user.id}`);
    const [device] = list.splice(at, 1);
    if (device!.default && list[0]) list[0].default = true;
    if (list.length === 0) this.byUser.delete(user.id);
    this.event('USER_OTP_DEVICE_DEREGISTERED', user, device!, false);
  }

  /** Removes every device of the user (a factor reset), one event 24 each. */
  removeAll(idOrUsername: number | string): void {
    const user = this.deps.requireUser(idOrUsername);
    for (const d of this.of(user.id)) this.remove(user.id, d.device_id);
  }

  /** A deleted user's devices go with it. */
  forgetUser(userId: number): void {
    this.byUser.delete(userId);
  }

  toJSON(): { devices: OneLoginDeviceRecord[]; nextId: number } {
    return { devices: [...this.byUser.values()].flat().map((d) => ({ ...d })), nextId: this.nextId };
  }

  load(
    data: { devices: OneLoginDeviceRecord[]; nextId: number } | undefined,
    known: (id: number) => boolean,
  ): void {
    this.byUser.clear();
    let next = FIRST_DEVICE_ID;
    for (const d of data?.devices ?? []) {
      next = Math.max(next, d.device_id + 1);
      if (!known(d.user_id)) continue;
      const list = this.byUser.get(d.user_id) ?? [];
      list.push({ ...d });
      this.byUser.set(d.user_id, list);
    }
    this.nextId = Math.max(next, data?.nextId ?? FIRST_DEVICE_ID);
  }

  private event(
    type: 'USER_OTP_DEVICE_REGISTERED' | 'USER_OTP_DEVICE_DEREGISTERED',
    user: OneLoginUser,
    device: OneLoginDeviceRecord,
    bySelf: boolean,
  ): void {
    const name =
      [user.firstname, user.lastname].filter(Boolean).join(' ') || user.username || user.email || '';
    this.deps.log({
      type,
      user_id: user.id,
      user_name: name,
      ...(bySelf ? { actor_user_id: user.id, actor_user_name: name } : { actor_system: 'API' }),
      otp_device_id: device.device_id,
      otp_device_name: device.user_display_name,
    });
  }
}

/**
 * The demo account's devices: most users (not staged, not leavers) registered OneLogin Protect
 * (every fourth an authenticator app too), one in ten never registered, and one in nineteen left an
 * SMS device registered but never used (`active: false`: no MFA either). Seeded without events, as
 * if registered before the events' retention; registered an hour after activation.
 */
export function seedDevices(users: readonly OneLoginUser[]): {
  devices: OneLoginDeviceRecord[];
  nextId: number;
} {
  const devices: OneLoginDeviceRecord[] = [];
  let nextId = FIRST_DEVICE_ID;
  const add = (u: OneLoginUser, factor: OneLoginFactorName, active: boolean, first: boolean) =>
    devices.push({
      device_id: nextId++,
      user_id: u.id,
      auth_factor_name: factor,
      type_display_name: DISPLAY[factor],
      user_display_name: DISPLAY[factor],
      default: first,
      active,
      created_at: new Date(Date.parse(u.activated_at ?? u.created_at) + 3_600_000).toISOString(),
    });
  users.forEach((u, i) => {
    // Staged users (status 0) and leavers (suspended and unlicensed) never registered one.
    if (u.status === 0 || (u.status === 2 && u.state === 3) || i % 10 === 3) return;
    if (i % 19 === 7) return void add(u, 'SMS', false, true);
    add(u, 'OneLogin', true, true);
    if (i % 4 === 0) add(u, 'Google Authenticator', true, false);
  });
  return { devices, nextId };
}
