/**
 * Okta-shaped ids: a three-character type prefix (`00u` users, `00g` groups, `0oa` apps) and 17
 * base62 characters, 20 in all. They are a pure function of (salt, sequence number), so a seeded
 * sandbox always hands out the same ids, yet they don't sort in creation order, like Okta's.
 */

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(value: number, width: number): string {
  let out = '';
  let n = value;
  for (let i = 0; i < width; i++) {
    out = ALPHABET.charAt(n % 62) + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** Murmur3's finalizer: a bijection on 32-bit integers, so distinct inputs never collide. */
function fmix(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function mix(x: number, salt: number): number {
  return fmix(Math.imul(x, 0x9e3779b1) ^ Math.imul(salt + 0x7f4a7c15, 0x85ebca77));
}

export type IdPrefix = '00u' | '00g' | '0oa' | 'oty';

export function oktaId(prefix: IdPrefix, salt: number, seq: number): string {
  let noise = '';
  for (let i = 0; i < 11; i++) noise += ALPHABET.charAt(mix(seq * 11 + i, salt) % 62);
  // An odd multiplier plus an offset is a bijection mod 2^32: this part alone keeps ids unique.
  return prefix + noise + base62(fmix((Math.imul(seq, 0x2545f491) + salt) >>> 0), 6);
}

/** A short token-like string (request ids, activation tokens, access tokens). */
export function oktaToken(salt: number, seq: number, length = 20): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += base62(mix(seq * 31 + i, salt), 6);
  return out.slice(0, length);
}

/** A UUID-shaped (8-4-4-4-12 hex) id, a pure function of (salt, sequence number): System Log `uuid`s. */
export function oktaUuid(salt: number, seq: number): string {
  let hex = '';
  for (let i = 0; hex.length < 32; i++)
    hex += mix(seq * 7 + i, salt ^ 0x5eed)
      .toString(16)
      .padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
