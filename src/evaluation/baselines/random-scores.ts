/**
 * Random: a fixed pseudo-random score per (seed, user, item), the floor every model must beat.
 * Hashing instead of drawing makes an item's score independent of which candidates are asked.
 */
import type { FitOptions, Recommender } from '../protocols';

export function createRandomScores(): Recommender {
  let seed = 0;
  const score = (u: number, i: number): number => {
    let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(u + 1, 0xc2b2ae35) ^ Math.imul(i + 1, 0x27d4eb2f);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    h = Math.imul(h, 0x297a2d39);
    h ^= h >>> 15;
    return (h >>> 0) / 4294967296;
  };
  let numItems = 0;
  return {
    name: 'random',
    fit(train, opts: FitOptions) {
      seed = opts.seed >>> 0;
      numItems = train.numItems;
    },
    scoreUser(u: number, candidates?: Int32Array) {
      if (candidates) return Float32Array.from(candidates, (i) => score(u, i));
      return Float32Array.from({ length: numItems }, (_, i) => score(u, i));
    },
  };
}
