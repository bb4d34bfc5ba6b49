import { closest, distance } from 'fastest-levenshtein';

/**
 * The nearest known name to a misspelt one, or undefined when nothing is close enough to be a
 * plausible typo (so we never suggest something unrelated).
 */
export function nearest(name: string, known: Iterable<string>): string | undefined {
  const candidates = [...new Set(known)].filter((k) => k !== name);
  if (candidates.length === 0) return undefined;
  const lower = name.toLowerCase();
  const exactCase = candidates.find((c) => c.toLowerCase() === lower);
  if (exactCase) return exactCase;
  const best = closest(name, candidates);
  const limit = Math.max(2, Math.floor(Math.max(name.length, best.length) / 3));
  return distance(name.toLowerCase(), best.toLowerCase()) <= limit ? best : undefined;
}

export const didYouMean = (name: string, known: Iterable<string>): string | undefined => {
  const match = nearest(name, known);
  return match === undefined ? undefined : `did you mean "${match}"?`;
};
