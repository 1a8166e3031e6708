import { generateMovieWorld } from '../../datasets/synthetic';
import { tableFromRecords } from '../interaction-table';
import { indexItemAttributes } from '../item-attributes';
import { evaluateColdStart, evaluateLooFull, evaluateLooSampled, type Recommender } from '../protocols';
import { buildColdStartSplit, buildLooSplit } from '../split';
import { buildTrainView, withAttributes } from '../train-view';
import { attributeSimilarityRows, createAttributeKnn } from './attribute-knn';
import { createBprMf } from './bpr-mf';
import { boughtItems, cooccurrence } from './cooccurrence';
import { createEase, easeCapacity, easeWeightsInPlace, easeWeightsReference } from './ease';
import { invertSpdInPlace } from './blocked-spd';
import { cosineRows, createItemKnn } from './item-knn';
import { buildNeighbourhoods } from './neighbourhoods';
import { useTestBackend } from '../../model/testing/use-test-backend';
import { invertSpd } from './linalg';
import { createMostActiveUsers, createMostPopular } from './most-popular';
import { createRandomScores } from './random-scores';

/** Textbook Gauss-Jordan with partial pivoting: an independent check of the Cholesky inverse. */
function gaussJordanInverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((r, i) => [...r, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const d = m[c][c];
    for (let j = 0; j < 2 * n; j++) m[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((r) => r.slice(n));
}

// Tiny binary user-item matrix: 5 users x 4 items.
const X = [
  [1, 1, 0, 0],
  [1, 1, 1, 0],
  [0, 1, 1, 0],
  [0, 0, 1, 1],
  [1, 0, 0, 1],
];
const tinyView = buildTrainView(tableFromRecords(X.flatMap((r, u) => r.flatMap((x, i) => (x ? [{ user: `${u + 1}`, item: `${i + 1}`, rating: 5 }] : [])))), {
  positiveThreshold: 3,
});

describe('linear algebra', () => {
  it.each([6, 37])('invertSpd matches an explicit Gauss-Jordan inverse and gives A A^-1 = I (n = %i)', (n) => {
    // 37 crosses several row blocks and leaves a remainder, exercising every blocked code path.
    const a = new Float64Array(n * n);
    // A = M^T M + I is SPD.
    const m = Array.from({ length: n + 2 }, (_, r) => Array.from({ length: n }, (_, c) => Math.sin(r * 7 + c * 3) + (r === c ? 1 : 0)));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = m.reduce((s, r) => s + r[i] * r[j], 0) + (i === j ? 1 : 0);
    const inv = invertSpd(a, n);
    const ref = gaussJordanInverse(Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, i * n + n))));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        expect(inv[i * n + j]).toBeCloseTo(ref[i][j], 9);
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k] * inv[k * n + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
      }
    }
  });

  it('invertSpd refuses a matrix that is not positive definite', () => {
    expect(() => invertSpd(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });

  it('cooccurrence is X^T X', () => {
    const g = cooccurrence(tinyView);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(g[i * 4 + j]).toBe(X.reduce((s, r) => s + r[i] * r[j], 0));
  });
});

describe('EASE', () => {
  it('equals the closed form B = I - P diag(1/diag(P)), P = (X^T X + lambda I)^-1, and scores x_u B', () => {
    const lambda = 2;
    const n = 4;
    const gram = X[0].map((_, i) => X[0].map((__, j) => X.reduce((s, r) => s + r[i] * r[j], 0) + (i === j ? lambda : 0)));
    const p = gaussJordanInverse(gram);
    const expected = p.map((r, i) => r.map((_, j) => (i === j ? 0 : -p[i][j] / p[j][j])));
    const b = easeWeightsInPlace(cooccurrence(tinyView), n, lambda);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(b[i * n + j]).toBeCloseTo(expected[i][j], 6);

    const ease = createEase({ lambda });
    ease.fit(tinyView, { seed: 1 });
    X.forEach((x, u) => {
      const scores = ease.scoreUser(u);
      const subset = ease.scoreUser(u, Int32Array.from([3, 0]));
      for (let j = 0; j < n; j++)
        expect(scores[j]).toBeCloseTo(
          x.reduce((s, xi, i) => s + xi * expected[i][j], 0),
          5,
        );
      expect(subset[0]).toBeCloseTo(scores[3], 5);
      expect(subset[1]).toBeCloseTo(scores[0], 5);
    });
  });
});

describe('EASE with recency weights', () => {
  it('weighs each purchase 2^(-r / halfLife) by the number r of later purchases', () => {
    // User 2 bought items 1, 2, 3 at times 30, 10, 20: ranks from the latest 0, 2, 1.
    const timed = buildTrainView(
      tableFromRecords(
        X.flatMap((r, u) => r.flatMap((x, i) => (x ? [{ user: `${u + 1}`, item: `${i + 1}`, rating: 5, timestamp: u === 1 ? [30, 10, 20, 0][i] : 1 }] : []))),
      ),
      { positiveThreshold: 3 },
    );
    const lambda = 2;
    const n = 4;
    const b = easeWeightsInPlace(cooccurrence(timed), n, lambda);
    const ease = createEase({ lambda, recencyHalfLife: 1 });
    expect(ease.name).toBe('ease-recency');
    ease.fit(timed, { seed: 1 });
    const weights = [1, 0.25, 0.5];
    const scores = ease.scoreUser(1);
    for (let j = 0; j < n; j++)
      expect(scores[j]).toBeCloseTo(
        [0, 1, 2].reduce((s, i, p) => s + weights[p] * b[i * n + j], 0),
        5,
      );
    const plain = createEase({ lambda });
    plain.fit(timed, { seed: 1 });
    expect(plain.scoreUser(1)[3]).not.toBeCloseTo(scores[3], 5);
  });
});

describe('ItemKNN', () => {
  it("scores by cosine similarity to the user's items, within each item's k nearest neighbours", () => {
    const knn = createItemKnn({ neighbours: 0 });
    knn.fit(tinyView, { seed: 1 });
    const cos = (i: number, j: number): number => {
      const co = X.reduce((s, r) => s + r[i] * r[j], 0);
      const di = X.reduce((s, r) => s + r[i], 0);
      const dj = X.reduce((s, r) => s + r[j], 0);
      return co / Math.sqrt(di * dj);
    };
    // User 0 bought items 0 and 1.
    const s = knn.scoreUser(0);
    expect(s[2]).toBeCloseTo(cos(2, 0) + cos(2, 1), 6);
    expect(s[3]).toBeCloseTo(cos(3, 0) + cos(3, 1), 6);
    const one = createItemKnn({ neighbours: 1 });
    one.fit(tinyView, { seed: 1 });
    // Item 2's single nearest neighbour is 1 (cos 2/3) rather than 3 (cos 1/sqrt(6)), and user 0 has 1.
    expect(one.scoreUser(0, Int32Array.from([2]))[0]).toBeCloseTo(cos(2, 1), 6);
  });
});

describe('baselines on a world with planted structure', () => {
  const world = generateMovieWorld({ seed: 11, users: 240, items: 300 });
  const split = buildLooSplit(world.interactions, { seed: 1 });
  const attributes = indexItemAttributes(world.attributes, split.itemIds);
  const view = withAttributes(split.view, attributes);
  const evaluated = async (model: Recommender): Promise<{ sampled: number; full: number }> => {
    await model.fit(view, { seed: 1 });
    const sampled = evaluateLooSampled(model, { ...split, view }).metrics['ndcg@10'];
    const full = evaluateLooFull(model, { ...split, view }).metrics['recall@20'];
    return { sampled, full };
  };

  it('every personalised baseline beats random clearly on sampled nDCG@10 and full Recall@20', async () => {
    const random = await evaluated(createRandomScores());
    const models = [createItemKnn({ neighbours: 50 }), createBprMf({ epochs: 60 }), createEase({ lambda: 50 }), createAttributeKnn({ neighbours: 50 })];
    for (const model of models) {
      const m = await evaluated(model);
      expect({ model: model.name, sampledGain: m.sampled - random.sampled > 0.15, fullGain: m.full - random.full > 0.15 }).toEqual({
        model: model.name,
        sampledGain: true,
        fullGain: true,
      });
    }
  });

  it('most-popular beats random where purchases follow popularity', async () => {
    // noise = 1: every purchase is a popularity-weighted draw, the structure popularity captures.
    const popWorld = generateMovieWorld({ seed: 11, users: 240, items: 300, noise: 1 });
    const popSplit = buildLooSplit(popWorld.interactions, { seed: 1, positiveThreshold: 0 });
    const score = async (model: Recommender): Promise<number> => {
      await model.fit(popSplit.view, { seed: 1 });
      return evaluateLooSampled(model, popSplit).metrics['ndcg@10'];
    };
    expect(await score(createMostPopular())).toBeGreaterThan((await score(createRandomScores())) + 0.1);
  });

  it('BPR-MF is reproducible for a seed', async () => {
    const a = createBprMf({ epochs: 3 });
    const b = createBprMf({ epochs: 3 });
    await a.fit(view, { seed: 5 });
    await b.fit(view, { seed: 5 });
    expect(Array.from(a.scoreUser(3))).toEqual(Array.from(b.scoreUser(3)));
  });

  it('attribute-KNN finds the buyers of held-out items better than random and than user activity', async () => {
    const cold = buildColdStartSplit(world.interactions, { seed: 2, numItems: 30, minBuyers: 3 });
    const coldView = withAttributes(cold.view, indexItemAttributes(world.attributes, cold.itemIds));
    const recall = async (model: Recommender): Promise<number> => {
      await model.fit(coldView, { seed: 1 });
      return evaluateColdStart(model, cold).metrics['recall@20'];
    };
    const attr = await recall(createAttributeKnn({ neighbours: 50 }));
    expect(attr).toBeGreaterThan((await recall(createRandomScores())) + 0.1);
    expect(attr).toBeGreaterThan(await recall(createMostActiveUsers()));
  });

  it('attribute similarity is the cosine of IDF-weighted value vectors', () => {
    // Items 1..4: {actor x, genre g}, {actor x, genre g}, {genre h}, {genre g}.
    const attrs = [
      ['1', 'actor', 'x'],
      ['1', 'genre', 'g'],
      ['2', 'actor', 'x'],
      ['2', 'genre', 'g'],
      ['3', 'genre', 'h'],
      ['4', 'genre', 'g'],
    ].map(([item, kind, value]) => ({ item, kind, value, name: value }));
    const small = withAttributes(tinyView, indexItemAttributes(attrs, tinyView.itemIds));
    const rowOf = attributeSimilarityRows(small);
    const sim = (j: number): Float64Array => {
      const out = new Float64Array(4);
      rowOf(j, out);
      return out;
    };
    const wx = Math.log(4 / 2);
    const wg = Math.log(4 / 3);
    expect(sim(0)[1]).toBeCloseTo(1, 12);
    expect(sim(0)[2]).toBe(0);
    expect(sim(0)[3]).toBeCloseTo((wg * wg) / Math.sqrt((wx * wx + wg * wg) * wg * wg), 12);
    // Row and column agree exactly: the sums run in the same order.
    expect(sim(3)[0]).toBe(sim(0)[3]);
  });
});

describe('the blocked paths at scale', () => {
  // Enough items that some are never bought (EASE leaves them out of the solve).
  const world = generateMovieWorld({ seed: 5, users: 300, items: 520 });
  const split = buildLooSplit(world.interactions, { seed: 1 });
  const view = split.view;
  beforeAll(async () => {
    await useTestBackend();
  });

  it('invertSpdInPlace (tiles on tf.matMul) matches the float64 Cholesky inverse, uneven last tile included', () => {
    const subset = boughtItems(view);
    const m = subset.items.length;
    const gram = cooccurrence(view, subset);
    for (let i = 0; i < m; i++) gram[i * m + i] += 20;
    const reference = invertSpdInPlace(Float32Array.from(gram), m, { block: m });
    expect(m % 48).not.toBe(0);
    const blocked = invertSpdInPlace(Float32Array.from(gram), m, { block: 48 });
    let worst = 0;
    let largest = 0;
    for (let k = 0; k < m * m; k++) {
      worst = Math.max(worst, Math.abs(blocked[k] - reference[k]));
      largest = Math.max(largest, Math.abs(reference[k]));
    }
    expect(worst / largest).toBeLessThan(1e-4);
    // Symmetric, and really the inverse: (A A^-1)_ii = 1.
    expect(blocked[3 * m + 7]).toBe(blocked[7 * m + 3]);
    for (const i of [0, m >> 1, m - 1]) {
      let s = 0;
      for (let k = 0; k < m; k++) s += gram[i * m + k] * blocked[k * m + i];
      expect(s).toBeCloseTo(1, 3);
    }
  });

  it('invertSpdInPlace names the pivot block that is not positive definite', () => {
    const a = Float32Array.from({ length: 100 * 100 }, (_, k) => (k % 101 === 0 ? 1 : 0));
    a[60 * 100 + 60] = -1;
    expect(() => invertSpdInPlace(a, 100, { block: 32 })).toThrow(/rows 32\.\.63 is not positive definite/);
  });

  it('EASE on the blocked solve ranks as the float64 reference does; never-bought items score 0', () => {
    const lambda = 30;
    const n = view.numItems;
    const reference = easeWeightsReference(Float64Array.from(cooccurrence(view)), n, lambda);
    const fast = createEase({ lambda, block: 64 });
    fast.fit(view, { seed: 1 });
    const subset = boughtItems(view);
    let worst = 0;
    let largest = 0;
    for (let u = 0; u < view.numUsers; u += 7) {
      const scores = fast.scoreUser(u);
      const expected = new Float64Array(n);
      for (const i of view.positives.indices.subarray(view.positives.indptr[u], view.positives.indptr[u + 1])) {
        for (let j = 0; j < n; j++) expected[j] += reference[i * n + j];
      }
      for (let j = 0; j < n; j++) {
        worst = Math.max(worst, Math.abs(scores[j] - expected[j]));
        largest = Math.max(largest, Math.abs(expected[j]));
        if (subset.position[j] < 0) expect(scores[j]).toBe(0);
      }
      const top = (xs: ArrayLike<number>): number[] =>
        Array.from(xs, (x, j) => [x, j])
          .sort((a, b) => b[0] - a[0] || a[1] - b[1])
          .slice(0, 10)
          .map((p) => p[1]);
      expect(top(scores)).toEqual(top(expected));
    }
    expect(worst / largest).toBeLessThan(1e-4);
    expect(subset.items.length).toBeLessThan(n);
  });

  it('EASE refuses a catalogue above its item limit with the reason, before allocating anything', () => {
    expect(easeCapacity(view)).toBeUndefined();
    expect(easeCapacity(view, 100)).toMatch(/N x N weight matrix .* limit is 100/);
    expect(() => createEase({ lambda: 10, maxItems: 100 }).fit(view, { seed: 1 })).toThrow(/limit is 100/);
  });

  it('a k-neighbourhood is the first k of the full neighbourhood (heap selection = sort), row by row', () => {
    const n = view.numItems;
    const all = buildNeighbourhoods(n, 0, cosineRows(view));
    const top = buildNeighbourhoods(n, 7, cosineRows(view));
    for (let j = 0; j < n; j++) {
      const full = Array.from(all.indices.subarray(all.indptr[j], all.indptr[j + 1]));
      expect(Array.from(top.indices.subarray(top.indptr[j], top.indptr[j + 1]))).toEqual(full.slice(0, 7));
    }
  });
});
