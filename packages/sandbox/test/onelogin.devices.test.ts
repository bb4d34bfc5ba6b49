import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import got from 'got';
import { setupServer } from 'msw/node';
import { generateCompany } from '../src/company.js';
import { Instrument } from '../src/instrument.js';
import { OneLoginStore, oneloginTenant, seedOneLogin } from '../src/onelogin/index.js';

/** UC-17: the OneLogin emulator's MFA devices endpoint, its events and its persistence. */

const BASE = 'https://globex.onelogin.test';
const company = generateCompany({ seed: 42, people: 400 });
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

let store: OneLoginStore;
let token: string;
const http = got.extend({
  prefixUrl: BASE,
  throwHttpErrors: false,
  responseType: 'json',
  retry: { limit: 0 },
});
const devices = (id: number) =>
  http.get<unknown>(`api/2/mfa/users/${id}/devices`, { headers: { authorization: `bearer ${token}` } });

beforeEach(async () => {
  store = seedOneLogin(company);
  server.resetHandlers(...oneloginTenant(store, BASE, new Instrument()).handlers);
  const res = await http.post<{ access_token: string }>('auth/oauth2/v2/token', {
    headers: {
      authorization: `Basic ${Buffer.from(`${store.clientId}:${store.clientSecret}`).toString('base64')}`,
    },
    json: { grant_type: 'client_credentials' },
  });
  token = res.body.access_token;
});

describe('UC-17 OneLogin emulator: MFA devices', () => {
  it('UC-17 OneLogin: serves the documented fields as a bare array, 404 for an unknown user', async () => {
    const user = store.users().find((u) => store.devices.of(u.id).length > 0)!;
    const res = await devices(user.id);
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual(
      store.devices.of(user.id).map((d) => ({
        device_id: String(d.device_id),
        user_display_name: d.user_display_name,
        type_display_name: d.type_display_name,
        auth_factor_name: d.auth_factor_name,
        default: d.default,
        active: d.active,
      })),
    );
    expect(res.headers['x-ratelimit-remaining']).toBeDefined();
    expect((await devices(1)).statusCode).toBe(404);
  });

  it('UC-17 OneLogin: seeds devices for most users, none for staged users and leavers', () => {
    const users = store.users();
    const signIn = users.filter((u) => u.status !== 0 && !(u.status === 2 && u.state === 3));
    const withOne = signIn.filter((u) => store.devices.of(u.id).some((d) => d.active));
    expect(withOne.length).toBeGreaterThan(signIn.length * 0.75);
    expect(withOne.length).toBeLessThan(signIn.length);
    for (const u of users.filter((x) => !signIn.includes(x))) expect(store.devices.of(u.id)).toEqual([]);
  });

  it('UC-17 OneLogin: enrol and remove log events 23 and 24, and persist', () => {
    const user = store.users().find((u) => u.status === 1 && store.devices.of(u.id).length === 0)!;
    const d = store.devices.enroll(user.username!, 'SMS');
    expect(d.default).toBe(true);
    store.devices.remove(user.id, d.device_id);
    const mine = store.events.all().filter((e) => e.user_id === user.id);
    expect(mine.map((e) => [e.event_type_id, e.otp_device_id])).toEqual([
      [23, d.device_id],
      [24, d.device_id],
    ]);
    store.devices.enroll(user.id, 'OneLogin', { active: false });
    const again = OneLoginStore.fromJSON(JSON.parse(JSON.stringify(store.toJSON())));
    expect(again.devices.of(user.id)).toEqual(store.devices.of(user.id));
    expect(again.devices.enroll(user.id).device_id).toBeGreaterThan(d.device_id + 1);
    store.deleteUser(user.id);
    expect(() => store.devices.of(user.id)).toThrow();
  });
});
