import { explain } from '../../model/explain';
import { foldInUser, meanUserEmbedding } from '../../model/fold-in';
import { scoreUser } from '../../model/scorer';
import { randomEmbeddings } from '../testing/random-embeddings';
import { recentFirst } from './scoring-family';
import { scoringFamilyOf } from './scoring-family-of';

/** Each family against the model core's scorer and explain(), which stay the reference. */
describe.each(['paper', 'kernel', 'mixture'] as const)('the %s scoring family', (scoring) => {
  const emb = randomEmbeddings({ scoring, recencyHalfLife: scoring === 'mixture' ? 3 : undefined, seed: 4 });
  const family = scoringFamilyOf(emb);
  const history = [5, 17, 3, 40, 17, 62];
  const times = [10, 20, 30, 40, 50, 5];
  const z = emb.users.slice(2 * emb.dim, 3 * emb.dim);
  const all = Int32Array.from({ length: emb.numItems }, (_, i) => i);

  it('is chosen from the embeddings', () => {
    expect(family.scoring).toBe(scoring);
  });

  it('scores candidates exactly as the model core scores every item, purchases excluded', () => {
    const user = family.user(emb, z, history, times);
    const out = new Float32Array(all.length);
    user.scoreCandidates(all, out);
    const reference = scoreUser(emb, 2, history, { times });
    for (let i = 0; i < emb.numItems; i++) {
      if (history.includes(i)) expect(out[i]).toBe(-Infinity);
      else expect(out[i]).toBeCloseTo(reference[i]!, 4);
    }
    // A subset gets the same values as the full pass.
    const subset = Int32Array.of(7, 1, 40, 9);
    const some = new Float32Array(subset.length);
    user.scoreCandidates(subset, some);
    subset.forEach((x, c) => expect(some[c]).toBe(out[x]));
  });

  it('explains as the model core does: the same k*, attention and anchor', () => {
    const user = family.user(emb, z, history, times);
    for (const item of [0, 8, 21]) {
      const mine = user.explain(item, 3);
      const core = explain(emb, 2, history, item, { times });
      expect(emb.kinds[mine.kind]).toBe(core.kind);
      Array.from(mine.attention).forEach((w, k) => expect(w).toBeCloseTo(core.attention[k]!.weight, 8));
      expect(mine.anchors[0]!.item).toBe(core.anchor);
      expect(mine.anchors[0]!.similarity).toBeCloseTo(core.anchorSimilarity!, 6);
      expect(mine.anchors.length).toBeLessThanOrEqual(3);
      // The paper prefers an anchor the graph can show; the kernel rules keep the strongest term first.
      expect(mine.adjacentFirst).toBe(scoring === 'paper');
    }
  });

  it("gives new users the family's vector and new items the family's neutral bias", () => {
    const items = Int32Array.of(3, 5, 17);
    const expected = scoring === 'mixture' ? meanUserEmbedding(emb) : foldInUser(emb, items);
    expect(Array.from(family.newUser(emb, items))).toEqual(Array.from(expected));
    const sorted = Float32Array.from(emb.itemBias!).sort();
    expect(family.newItemBias(emb)).toBe(scoring === 'mixture' ? sorted[Math.floor(sorted.length / 2)] : 0);
    expect(family.keepsUnboughtItemVectors).toBe(scoring === 'mixture');
    expect(family.coldAggregates).toContain(family.coldAggregate);
  });
});

describe('recentFirst', () => {
  it('orders purchases by time, latest first, unknown times last and duplicates once', () => {
    expect(Array.from(recentFirst([4, 7, 9, 7], [10, 30, NaN, 20]))).toEqual([7, 4, 9]);
    expect(Array.from(recentFirst([4, 7, 9]))).toEqual([9, 7, 4]);
  });
});
