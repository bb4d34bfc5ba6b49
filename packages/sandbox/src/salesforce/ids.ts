/**
 * Salesforce record ids: 3-char key prefix, 2-char pod, reserved zeros, a base-62 counter, and the
 * 3-char case-safe suffix that turns the case-sensitive 15-char id into the 18-char one. Clients
 * (and accord) compare 18-char ids, so the suffix is computed exactly as Salesforce does.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export const KEY_PREFIX = {
  Organization: '00D',
  User: '005',
  Profile: '00e',
  UserRole: '00E',
  UserLicense: '100',
  PermissionSet: '0PS',
  PermissionSetGroup: '0PG',
  // UNCONFIRMED: the real prefix of PermissionSetGroupComponent was not checked.
  PermissionSetGroupComponent: '0PH',
  PermissionSetAssignment: '0Pa',
  UserLogin: '060',
  Account: '001',
  Contact: '003',
  Lead: '00Q',
  Opportunity: '006',
  Case: '500',
  Group: '00G',
  QueueSobject: '03g',
  // Custom objects get a prefix per org (a00…a0Z and on); this is the demo org's Login_Event__c.
  Login_Event__c: 'a01',
  QueryLocator: '01g',
  IngestJob: '750',
} as const;

export type KeyPrefix = (typeof KEY_PREFIX)[keyof typeof KEY_PREFIX];

function suffixOf(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    out += SUFFIX[bits];
  }
  return out;
}

function base62(n: number, width: number): string {
  let out = '';
  for (let v = n; v > 0; v = Math.floor(v / 62)) out = BASE62[v % 62] + out;
  return out.padStart(width, '0');
}

/** Two base-62 characters derived from the org key, so ids differ between sandbox orgs. */
export function podOf(org: string): string {
  let h = 7;
  for (let i = 0; i < org.length; i++) h = (h * 31 + org.charCodeAt(i)) % (62 * 62);
  return base62(h, 2);
}

export function makeId(prefix: string, pod: string, n: number): string {
  const id15 = `${prefix}${pod}0000${base62(n, 6)}`;
  return id15 + suffixOf(id15);
}

const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/;

/** The 18-char form of a 15- or 18-char id, or undefined when it is not id-shaped (MALFORMED_ID). */
export function normalizeId(id: string): string | undefined {
  if (!ID_SHAPE.test(id)) return undefined;
  return id.length === 15 ? id + suffixOf(id) : id;
}
