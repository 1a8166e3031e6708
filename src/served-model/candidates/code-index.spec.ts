import { kindVector } from '../../model/mixture-scoring';
import { randomEmbeddings } from '../testing/random-embeddings';
import { CodeIndex } from './code-index';

/** Brute-force best neighbours of `item` in kind k, by b_y - distance (the truth the index approximates). */
function bruteForce(emb: ReturnType<typeof randomEmbeddings>, k: number, item: number, m: number): number[] {
  const d = emb.dim;
  const v = new Float64Array(d);
  const w = new Float64Array(d);
  kindVector(emb, item, k, v);
  const dist = Array.from({ length: emb.numItems }, (_, y) => {
    kindVector(emb, y, k, w);
    let s = 0;
    for (let t = 0; t < d; t++) s += (v[t]! - w[t]!) ** 2;
    return { y, s: s - emb.itemBias![y]! };
  });
  return dist
    .filter((e) => e.y !== item)
    .sort((a, b) => a.s - b.s || a.y - b.y)
    .slice(0, m)
    .map((e) => e.y);
}

describe('CodeIndex', () => {
  const emb = randomEmbeddings({ numItems: 600, dim: 6, clusters: 12, seed: 3 });

  it("lists each item's best neighbours per kind (bias minus distance), best first, without the item itself", () => {
    const index = CodeIndex.build(emb, { neighbours: 10 });
    let found = 0;
    let total = 0;
    for (let k = 0; k < emb.kinds.length; k++) {
      for (let item = 0; item < emb.numItems; item += 7) {
        const mine = index.neighbours(k, item);
        expect(mine.length).toBeLessThanOrEqual(10);
        expect(mine).not.toContain(item);
        const truth = new Set(bruteForce(emb, k, item, 10));
        found += mine.filter((y) => truth.has(y)).length;
        total += truth.size;
      }
    }
    // Clustered codes: searching 4 of ~24 cells finds nearly every true neighbour.
    expect(found / total).toBeGreaterThan(0.9);
  });

  it('finds a far but popular neighbour that the bias puts first (the partition ranks by bias minus distance)', () => {
    // Large biases spread over the items: a plain distance partition would search the wrong cells.
    const bias = Float32Array.from({ length: emb.numItems }, (_, y) => (y % 50 === 0 ? 40 : (y % 7) * 0.1));
    const skewed = { ...emb, itemBias: bias };
    const index = CodeIndex.build(skewed, { neighbours: 5 });
    let found = 0;
    let total = 0;
    for (let item = 1; item < emb.numItems; item += 11) {
      const truth = new Set(bruteForce(skewed, 0, item, 5));
      found += index.neighbours(0, item).filter((y) => truth.has(y)).length;
      total += truth.size;
    }
    expect(found / total).toBeGreaterThan(0.9);
  });

  it('is exact when every cell is searched', () => {
    const index = CodeIndex.build(emb, { neighbours: 5, probes: 1000 });
    for (const item of [0, 13, 599]) expect(index.neighbours(1, item)).toEqual(bruteForce(emb, 1, item, 5));
  });

  it('places an appended item next to its twin, in both directions', () => {
    const twin = 42;
    const d = emb.dim;
    const grown = {
      ...emb,
      numItems: emb.numItems + 1,
      codes: emb.codes.map((c) => {
        const out = new Float32Array(c.length + d);
        out.set(c);
        // Appended items have no free vector e: give it the twin's full kernel vector code + e.
        const e = emb.itemEmbedding!;
        for (let t = 0; t < d; t++) out[c.length + t] = c[twin * d + t]! + e[twin * d + t]!;
        return out;
      }),
    };
    const index = CodeIndex.build(emb, { neighbours: 8 });
    index.add(grown, emb.numItems);
    for (let k = 0; k < emb.kinds.length; k++) {
      expect(index.neighbours(k, emb.numItems)[0]).toBe(twin);
      expect(index.neighbours(k, twin)).toContain(emb.numItems);
    }
  });

  it('builds the same lists whether run at once or step by step', () => {
    const steps = CodeIndex.steps(emb, { neighbours: 6, seed: 9, stepWork: 10_000 });
    let yields = 0;
    let next = steps.next();
    for (; !next.done; next = steps.next()) yields++;
    const once = CodeIndex.build(emb, { neighbours: 6, seed: 9 });
    expect(yields).toBeGreaterThan(0);
    for (const item of [1, 77, 300]) expect(next.value.neighbours(2, item)).toEqual(once.neighbours(2, item));
  });
});
