import { Rng } from './rng';

/** Floyd's algorithm as first written (a Set of picks): the reference for the fast path. */
function floydWithSet(rng: Rng, n: number, m: number): Int32Array {
  const chosen = new Set<number>();
  for (let j = n - m; j < n; j++) {
    const t = rng.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from(chosen).sort();
}

describe('Rng.sampleDistinct', () => {
  it('makes the same picks as Floyd with a Set, for small and large samples', () => {
    for (const [n, m] of [
      [1, 1],
      [5, 5],
      [40, 32],
      [33, 32],
      [1000, 32],
      [100, 64],
      [100, 65],
      [5000, 999],
    ] as const) {
      for (const seed of [1, 2, 3]) {
        const fast = new Rng(seed).sampleDistinct(n, m);
        const reference = floydWithSet(new Rng(seed), n, m);
        expect(Array.from(fast)).toEqual(Array.from(reference));
      }
    }
  });

  it('returns m distinct sorted integers in [0, n), each about equally often', () => {
    const rng = new Rng(7);
    const n = 50;
    const counts = new Array<number>(n).fill(0);
    const draws = 4000;
    for (let d = 0; d < draws; d++) {
      const s = rng.sampleDistinct(n, 10);
      expect(s).toHaveLength(10);
      for (let i = 0; i < s.length; i++) {
        expect(s[i]).toBeGreaterThanOrEqual(0);
        expect(s[i]).toBeLessThan(n);
        if (i > 0) expect(s[i]).toBeGreaterThan(s[i - 1]!);
        counts[s[i]!]++;
      }
    }
    // Each index is picked with probability 10/50: 800 of 4000 draws, sd ~25.
    for (const c of counts) expect(Math.abs(c - 800)).toBeLessThan(125);
  });

  it('refuses more picks than there are integers', () => {
    expect(() => new Rng(1).sampleDistinct(3, 4)).toThrow(/expected m <= n, got m=4, n=3/);
  });
});
