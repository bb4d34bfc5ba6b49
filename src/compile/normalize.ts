import type { Normalization } from '../policy/types.js';

/** Normalises match-key values the way the policy says (case, whitespace, email domain aliases). */
export type Normalizer = (value: string | null | undefined, kind?: 'email' | 'plain') => string | undefined;

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
