import type { Normalization } from '../policy/types.js';

/** Normalises match-key values the way the policy says (case, whitespace, email domain aliases). */
export type Normalizer = (value: string | null | undefined, kind?: 'email' | 'plain') => string | undefined;

export function createNormalizer(options: Normalization = {}): Normalizer {
  const caseInsensitive = options.caseInsensitive ?? true;
  const trim = options.trim ?? true;
  const aliases = new Map(
    Object.entries(options.domainAliases ?? {}).map(([alias, canonical]) => [
      alias.toLowerCase(),
      canonical.toLowerCase(),
    ]),
  );
  return (value, kind = 'plain') => {
    if (value === null || value === undefined) return undefined;
    let v = trim ? value.trim() : value;
    if (caseInsensitive) v = v.toLowerCase();
    if (kind === 'email') {
      const at = v.lastIndexOf('@');
      if (at > 0) {
        const domain = v.slice(at + 1).toLowerCase();
        const canonical = aliases.get(domain);
        if (canonical) v = `${v.slice(0, at + 1)}${canonical}`;
      }
    }
    return v === '' ? undefined : v;
  };
}
