import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * A seeded random source: the same seed gives the same demo company and the same fault pattern,
 * so sandbox runs (and the API-call counts tests assert) are reproducible.
 */
export interface Rng {
  /** Integer in [min, max], inclusive. */
  int(min: number, max: number): number;
  /** Float in [0, 1). */
  next(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function createRng(seed: number): Rng {
  const generator = xoroshiro128plus(seed);
  const next = () => uniformFloat64(generator);
  return {
    int: (min, max) => uniformInt(generator, min, max),
    next,
    chance: (p) => p > 0 && next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[uniformInt(generator, 0, items.length - 1)]!;
    },
  };
}
