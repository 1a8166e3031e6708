/**
 * A tiny seeded PRNG (mulberry32) so that generated data, samples and splits are reproducible
 * without a dependency. Not cryptographic; 32-bit state is plenty for test-sized worlds.
 */

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(values: readonly T[]): T;
  /** A new array with the elements in random order (Fisher-Yates). */
  shuffle<T>(values: readonly T[]): T[];
  /** `count` distinct elements (all of them, shuffled, when count >= length). */
  sample<T>(values: readonly T[], count: number): T[];
  /** An index drawn with probability proportional to `weights[index]` (all >= 0, sum > 0). */
  weightedIndex(weights: ArrayLike<number>): number;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`int(min, max) expects integers with min <= max, got ${min}, ${max}`);
    }
    return min + Math.floor(next() * (max - min + 1));
  };
  const shuffle = <T>(values: readonly T[]): T[] => {
    const out = values.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  };
  return {
    next,
    int,
    pick<T>(values: readonly T[]): T {
      if (values.length === 0) throw new RangeError('pick() needs a non-empty array');
      return values[Math.floor(next() * values.length)];
    },
    shuffle,
    sample<T>(values: readonly T[], count: number): T[] {
      return shuffle(values).slice(0, Math.max(0, count));
    },
    weightedIndex(weights: ArrayLike<number>): number {
      let total = 0;
      for (let i = 0; i < weights.length; i++) total += weights[i];
      if (!(total > 0)) throw new RangeError('weightedIndex() needs weights with a positive sum');
      let target = next() * total;
      for (let i = 0; i < weights.length; i++) {
        target -= weights[i];
        if (target < 0) return i;
      }
      // Rounding can leave target at ~0 after the loop: return the last positive weight.
      for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
      return weights.length - 1;
    },
  };
}
