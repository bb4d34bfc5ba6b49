// The core build with the metadata as a JS module: the default build imports its metadata as
// JSON, which jest (and Node without import attributes) warns about on every load.
import { parsePhoneNumberFromString, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';
import type { Normalization } from '../policy/types.js';

/**
 * Normalises match-key values the way the policy says (case, whitespace, email domain aliases,
 * phone numbers in E.164).
 */
export type Normalizer = (
  value: string | null | undefined,
  kind?: 'email' | 'plain' | 'phone',
) => string | undefined;

/**
 * E.164 (`+14155550100`) of a phone number as people write it, or undefined when it cannot be one:
 * spelled any way ("(415) 555-0100", "+1 415 555 0100"), one number is one value. A number
 * without its country code needs the region, and a guess would match strangers.
 */
export function e164(value: string, region?: string): string | undefined {
  const parsed = parsePhoneNumberFromString(
    value,
    region ? { defaultCountry: region as CountryCode } : {},
    metadata as MetadataJson,
  );
  return parsed?.isPossible() ? parsed.number : undefined;
}

export function createNormalizer(options: Normalization = {}): Normalizer {
  const caseInsensitive = options.caseInsensitive ?? true;
  const trim = options.trim ?? true;
  // Suffixes `@alias` → `@canonical`. Few aliases and many values: test the suffixes rather than
  // cut out every domain (which would allocate a string per value).
  const aliases = Object.entries(options.domainAliases ?? {}).map(([alias, canonical]) => ({
    suffix: `@${alias.toLowerCase()}`,
    canonical: canonical.toLowerCase(),
  }));
  return (value, kind = 'plain') => {
    if (value === null || value === undefined) return undefined;
    if (kind === 'phone') return e164(value, options.phoneRegion);
    let v = trim ? value.trim() : value;
    if (caseInsensitive) v = v.toLowerCase();
    if (kind === 'email') {
      for (const { suffix, canonical } of aliases) {
        const at = v.length - suffix.length;
        // Domains compare without case even when values keep theirs.
        const same = caseInsensitive ? v.endsWith(suffix) : v.slice(at).toLowerCase() === suffix;
        if (at > 0 && same) {
          v = `${v.slice(0, at + 1)}${canonical}`;
          break;
        }
      }
    }
    return v === '' ? undefined : v;
  };
}
