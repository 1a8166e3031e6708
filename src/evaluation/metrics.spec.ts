import { catalogueCoverage, hitAtK, ndcgAtK, precisionAtK, rankOf, ranksOfRelevant, recallAtK, topK } from './metrics';

describe('rankOf', () => {
  it('ranks by descending score, 1-based', () => {
    const scores = [0.1, 0.9, 0.5, 0.3];
    expect(rankOf(scores, 1)).toBe(1);
    expect(rankOf(scores, 2)).toBe(2);
    expect(rankOf(scores, 0)).toBe(4);
  });

  it('breaks ties pessimistically: the target goes after every equal score', () => {
    expect(rankOf([1, 1, 1, 1], 0)).toBe(4);
    expect(rankOf([1, 1, 1, 1], 3)).toBe(4);
    expect(rankOf([2, 1, 1, 0], 1)).toBe(3);
  });

  it('counts only the given candidates (target included whether listed or not)', () => {
    const scores = [0.5, 0.9, 0.8, 0.1, 0.7];
    expect(rankOf(scores, 0, [0, 3, 4])).toBe(2);
    expect(rankOf(scores, 0, [3, 4])).toBe(2);
    expect(rankOf(scores, 0, [1, 2, 4])).toBe(4);
  });

  it('does not depend on candidate order', () => {
    const scores = [0.5, 0.5, 0.2, 0.5, 0.9];
    expect(rankOf(scores, 0, [4, 3, 2, 1])).toBe(rankOf(scores, 0, [1, 2, 3, 4]));
  });

  it('puts a NaN target last and ignores NaN competitors', () => {
    expect(rankOf([NaN, 0, 1], 0)).toBe(3);
    expect(rankOf([0.5, NaN, NaN], 0)).toBe(1);
  });
});

describe('single-relevant metrics', () => {
  it('nDCG@K with one relevant item at rank r equals 1/log2(r+1) when r <= K, else 0', () => {
    for (let r = 1; r <= 20; r++) {
      expect(ndcgAtK(r, 10)).toBeCloseTo(r <= 10 ? 1 / Math.log2(r + 1) : 0, 12);
    }
    expect(ndcgAtK(1, 5)).toBe(1);
    expect(ndcgAtK(3, 5)).toBeCloseTo(0.5, 12);
    expect(ndcgAtK(7, 10)).toBeCloseTo(1 / 3, 12);
  });

  it('HR@K and P@K = HR@K / K', () => {
    expect(hitAtK(10, 10)).toBe(1);
    expect(hitAtK(11, 10)).toBe(0);
    expect(precisionAtK(4, 5)).toBeCloseTo(0.2, 12);
    expect(precisionAtK(6, 5)).toBe(0);
  });

  it('agrees with hand-computed means over a small set of users', () => {
    // Ranks of the held-out item for four users.
    const ranks = [1, 3, 7, 12];
    const mean = (f: (r: number) => number): number => ranks.map(f).reduce((a, b) => a + b) / ranks.length;
    expect(mean((r) => hitAtK(r, 5))).toBeCloseTo(0.5, 12);
    expect(mean((r) => precisionAtK(r, 5))).toBeCloseTo(0.1, 12);
    expect(mean((r) => ndcgAtK(r, 5))).toBeCloseTo((1 + 0.5) / 4, 12);
    expect(mean((r) => ndcgAtK(r, 10))).toBeCloseTo((1 + 0.5 + 1 / 3) / 4, 12);
  });
});

describe('recall and ranks of several relevant items', () => {
  it('Recall@K is the share of relevant ranks within K', () => {
    expect(recallAtK([1, 4, 9, 30], 5)).toBeCloseTo(0.5, 12);
    expect(recallAtK([], 5)).toBe(0);
  });

  it('ranks relevant items pessimistically inside tie groups', () => {
    // Scores by index: 0:0.9 1:0.5 2:0.5 3:0.5 4:0.1; relevant 1 and 3 tie with non-relevant 2.
    const ranks = ranksOfRelevant([0.9, 0.5, 0.5, 0.5, 0.1], [3, 1]);
    expect(Array.from(ranks)).toEqual([4, 3]);
    expect(Array.from(ranksOfRelevant([1, 1, 1], [0, 1, 2]))).toEqual([1, 2, 3]);
    expect(Array.from(ranksOfRelevant([0.2, 0.8, 0.5], [0]))).toEqual([3]);
  });

  it('matches rankOf for a single relevant item', () => {
    const scores = [0.3, 0.7, 0.3, 0.3, 0.9, 0.1];
    for (let t = 0; t < scores.length; t++) expect(ranksOfRelevant(scores, [t])[0]).toBe(rankOf(scores, t));
  });
});

describe('topK and coverage', () => {
  it('returns the best K, ties by lower index, skipping excluded items', () => {
    expect(Array.from(topK([0.1, 0.9, 0.5, 0.9, 0.3], 3))).toEqual([1, 3, 2]);
    expect(Array.from(topK([0.1, 0.9, 0.5, 0.9, 0.3], 2, (i) => i === 1))).toEqual([3, 2]);
    expect(Array.from(topK([0.1, 0.2], 5))).toEqual([1, 0]);
  });

  it('catalogue coverage is the share of items in any list', () => {
    expect(
      catalogueCoverage(
        [
          [0, 1],
          [1, 2],
        ],
        10,
      ),
    ).toBeCloseTo(0.3, 12);
    expect(catalogueCoverage([], 10)).toBe(0);
  });
});
