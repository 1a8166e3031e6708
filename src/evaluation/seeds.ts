/**
 * Independent random streams from one run seed. Each use (hold-out ties, negatives, cold-start
 * items, model initialisation) draws from its own stream, so that changing one of them (say the
 * number of negatives) leaves the others, and hence the rest of the split, unchanged.
 */
import { createRng, type Rng } from '../datasets/rng';

/** A 32-bit seed for the stream `label` of run seed `seed` (FNV-1a over the label, mixed with the seed). */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // splitmix32-style finaliser: FNV alone leaves nearby labels with correlated low bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

export function streamRng(seed: number, label: string): Rng {
  return createRng(deriveSeed(seed, label));
}

/** Uniform integer in [0, n). */
export function randomIndex(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}
