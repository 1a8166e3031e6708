import type { EranEmbeddings } from './embeddings';
import { explain, userAttentionProfile } from './explain';
import { foldInUser, meanUserEmbedding } from './fold-in';
import { Rng } from './rng';
import { audience, recommend, scoreColdItem, scoreUser, similarItems, topK } from './scorer';
import { symmetricCsr } from './testing/attribute-networks';

/** Random embeddings: scoring is plain TS and needs no backend. */
function randomEmbeddings(numItems = 40, numUsers = 6, kinds = 3, dim = 5, seed = 1, itemBias = false): EranEmbeddings {
  const rng = new Rng(seed);
  const fill = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.next());
  return {
    kinds: ['actor', 'director', 'genre'].slice(0, kinds),
    numItems,
    numUsers,
    dim,
    codes: Array.from({ length: kinds }, () => fill(numItems * dim)),
    users: Float32Array.from({ length: numUsers * dim }, () => rng.normal()),
    itemBias: itemBias ? Float32Array.from({ length: numItems }, () => rng.normal()) : null,
  };
}

/** h_{u,i} by the book: eq. 5-7 in float64, written independently of personalize.ts. */
function naiveH(emb: EranEmbeddings, z: ArrayLike<number>, item: number): number[] {
  const logits = emb.codes.map((c) => Array.from({ length: emb.dim }, (_, t) => c[item * emb.dim + t] * z[t]).reduce((a, b) => a + b, 0));
  const max = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - max));
  const total = e.reduce((a, b) => a + b, 0);
  return Array.from({ length: emb.dim }, (_, t) => emb.codes.reduce((s, c, k) => s + (e[k] / total) * c[item * emb.dim + t], 0));
}

const dist2 = (a: number[], b: number[]): number => a.reduce((s, v, t) => s + (v - b[t]) ** 2, 0);

describe('scoreUser (eq. 13 in closed form)', () => {
  it.each([false, true])('equals the naive pairwise sum over R_u (item bias: %s)', (withBias) => {
    const emb = randomEmbeddings(40, 6, 3, 5, 2, withBias);
    const history = [3, 7, 8, 20, 31];
    const z = emb.users.subarray(2 * emb.dim, 3 * emb.dim);
    const scores = scoreUser(emb, 2, history);
    for (let i = 0; i < emb.numItems; i++) {
      if (history.includes(i)) {
        expect(scores[i]).toBe(-Infinity);
        continue;
      }
      const hi = naiveH(emb, z, i);
      let naive = history.reduce((s, j) => s - dist2(hi, naiveH(emb, z, j)), 0);
      if (withBias && emb.itemBias) naive += history.length * emb.itemBias[i];
      expect(scores[i]).toBeCloseTo(naive, 4);
    }
  });

  it('reads R_u at call time and honours an extra exclusion set', () => {
    const emb = randomEmbeddings();
    const before = recommend(emb, 0, [1, 2], 40);
    const after = recommend(emb, 0, [1, 2, before[0].item], 40, { exclude: [before[1].item] });
    expect(after.map((s) => s.item)).not.toContain(before[0].item);
    expect(after.map((s) => s.item)).not.toContain(before[1].item);
    expect(after).toHaveLength(40 - 3 - 1);
  });

  it('scores a new user (no learned embedding) through fold-in from the history', () => {
    const emb = randomEmbeddings();
    const history = [4, 9, 12];
    const z = foldInUser(emb, history);
    expect(Array.from(scoreUser(emb, null, history))).toEqual(Array.from(scoreUser(emb, z, history)));
    // Fewer than two purchases: the mean learned embedding.
    expect(Array.from(foldInUser(emb, [4]))).toEqual(Array.from(meanUserEmbedding(emb)));
  });

  it('rejects unknown users and items with clear messages', () => {
    const emb = randomEmbeddings();
    expect(() => scoreUser(emb, 99, [1])).toThrow(/expected a user index in \[0, 6\)/);
    expect(() => scoreUser(emb, 0, [100])).toThrow(/expected item indexes in \[0, 40\)/);
  });
});

describe('cold-start items (eq. 14) and audience', () => {
  it('aggregates min (as printed), max and mean of sim_u over the history', () => {
    const emb = randomEmbeddings();
    const codes = [0, 1, 2].map((k) => emb.codes[k].slice(5 * emb.dim, 6 * emb.dim));
    const history = [1, 2, 3];
    const z = emb.users.subarray(0, emb.dim);
    const sims = history.map((j) => -dist2(naiveH(emb, z, 5), naiveH(emb, z, j)));
    expect(scoreColdItem(emb, 0, history, codes, 'min')).toBeCloseTo(Math.min(...sims), 6);
    expect(scoreColdItem(emb, 0, history, codes, 'max')).toBeCloseTo(Math.max(...sims), 6);
    expect(scoreColdItem(emb, 0, history, codes, 'mean')).toBeCloseTo(sims.reduce((a, b) => a + b) / 3, 6);
    expect(scoreColdItem(emb, 0, [], codes)).toBe(-Infinity);
  });

  it('ranks every user for an item, skipping owners and empty histories', () => {
    const emb = randomEmbeddings();
    const userItems = [[1, 2], [5, 6], [], [7, 8, 9], [5], [10, 11]];
    const top = audience(emb, 5, 10, userItems, { aggregate: 'mean' });
    const users = top.map((s) => s.user);
    expect(users).not.toContain(1);
    expect(users).not.toContain(4);
    expect(users).not.toContain(2);
    expect(users.sort()).toEqual([0, 3, 5]);
    expect(top[0].score).toBeGreaterThanOrEqual(top[1].score);
  });
});

describe('similarItems', () => {
  it('plain similarity uses uniform attention; personalized uses z_u', () => {
    const emb = randomEmbeddings();
    const plain = similarItems(emb, 3, 5);
    const mean = (i: number): number[] => Array.from({ length: emb.dim }, (_, t) => emb.codes.reduce((s, c) => s + c[i * emb.dim + t], 0) / 3);
    const expected = Array.from({ length: emb.numItems }, (_, i) => i)
      .filter((i) => i !== 3)
      .map((i) => ({ i, s: -dist2(mean(3), mean(i)) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 5)
      .map((x) => x.i);
    expect(plain.map((s) => s.item)).toEqual(expected);
    const personal = similarItems(emb, 3, 5, 1);
    const z = emb.users.subarray(emb.dim, 2 * emb.dim);
    expect(personal[0].score).toBeCloseTo(-dist2(naiveH(emb, z, 3), naiveH(emb, z, personal[0].item)), 5);
  });
});

describe('explain', () => {
  /** Two kinds; user 0 attends to kind 0 (z aligned with kind-0 codes). */
  function handMade(): EranEmbeddings {
    const d = 2;
    const n = 5;
    const codes0 = new Float32Array(n * d);
    const codes1 = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      codes0.set([1, 0.1 * i], i * d);
      codes1.set([0, 0.5 + 0.01 * i], i * d);
    }
    return { kinds: ['actor', 'genre'], numItems: n, numUsers: 1, dim: d, codes: [codes0, codes1], users: Float32Array.of(5, 0), itemBias: null };
  }

  it('names the kind with the largest attention and the most similar purchase, preferring one adjacent in that kind', () => {
    const emb = handMade();
    // actor network: item 4 is linked to 1 only; item 3 is the closest purchase in code space.
    const actor = symmetricCsr('actor', 5, [1], [4], [1]);
    const genre = symmetricCsr('genre', 5, [], [], []);
    const withoutNetworks = explain(emb, 0, [1, 3], 4);
    expect(withoutNetworks.kind).toBe('actor');
    expect(withoutNetworks.anchor).toBe(3);
    expect(withoutNetworks.anchorAdjacent).toBeNull();
    const withNetworks = explain(emb, 0, [1, 3], 4, { networks: [actor, genre] });
    expect(withNetworks.anchor).toBe(1);
    expect(withNetworks.anchorAdjacent).toBe(true);
    expect(withNetworks.attention.map((a) => a.kind)).toEqual(['actor', 'genre']);
    expect(withNetworks.attention[0].weight + withNetworks.attention[1].weight).toBeCloseTo(1, 9);
    // No purchase adjacent in G_actor: the closest one, flagged for a higher-order path.
    const none = explain(emb, 0, [0, 3], 4, { networks: [actor, genre] });
    expect(none.anchor).toBe(3);
    expect(none.anchorAdjacent).toBe(false);
    expect(userAttentionProfile(emb, 0, [0, 1])[0].weight).toBeGreaterThan(0.5);
  });
});

describe('topK', () => {
  it('returns the k largest finite values, best first, ties by index', () => {
    const values = Float32Array.of(3, -Infinity, 7, 7, 1, NaN, 5);
    expect(topK(values, 3)).toEqual([
      { index: 2, score: 7 },
      { index: 3, score: 7 },
      { index: 6, score: 5 },
    ]);
    expect(topK(values, 0)).toEqual([]);
    expect(topK(values, 10)).toHaveLength(5);
  });
});
