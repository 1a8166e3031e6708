/**
 * Attribute-KNN, the attribute-aware baseline for cold start: item-item cosine similarity of
 * IDF-weighted attribute-value vectors (a shared rare actor says more than a shared "Drama"),
 * and a user's score for item j is the sum of its similarities to the user's purchases among
 * j's k most similar *existing* items. It needs no interactions for j, so new items are scored.
 */
import type { Recommender } from '../protocols';
import type { TrainView } from '../train-view';
import { requireInteger } from '../validate';
import { buildNeighbourhoods, type Neighbourhoods, scoreByNeighbours, type SimilarityRow } from './neighbourhoods';

export interface AttributeKnnOptions {
  /** Neighbourhood size k (<= 0: all). The tuned hyper-parameter. */
  readonly neighbours: number;
  /** Per-kind multipliers of the value weights (default 1 for every kind). */
  readonly kindWeights?: Readonly<Record<string, number>>;
}

/**
 * Rows of the cosine similarity of IDF-weighted attribute vectors, from per-value postings (no
 * n x n table). Every pair's sum runs over kinds, then values, in the same order for every row,
 * so row j and column j agree exactly. Exposed for tests.
 */
export function attributeSimilarityRows(view: TrainView, kindWeights: Readonly<Record<string, number>> = {}): SimilarityRow {
  const attrs = view.attributes;
  if (!attrs) throw new Error('attribute-knn needs item attributes in the TrainView');
  const n = view.numItems;
  let described = 0;
  for (let i = 0; i < n; i++) if (attrs.byKind.some((k) => k.indptr[i + 1] > k.indptr[i])) described++;
  const norm2 = new Float64Array(n);
  const kinds = attrs.byKind.map((kv) => {
    const scale = kindWeights[kv.kind] ?? 1;
    const postings: number[][] = kv.valueIds.map(() => []);
    for (let i = 0; i < n; i++) for (let e = kv.indptr[i]; e < kv.indptr[i + 1]; e++) postings[kv.indices[e]].push(i);
    const w2 = postings.map((items) => {
      if (items.length === 0) return 0;
      const w = scale * Math.log(described / items.length);
      return w * w;
    });
    return { kv, postings, w2 };
  });
  for (const { postings, w2 } of kinds) postings.forEach((items, v) => items.forEach((i) => (norm2[i] += w2[v])));
  return (j, out) => {
    for (const { kv, postings, w2 } of kinds) {
      for (let e = kv.indptr[j]; e < kv.indptr[j + 1]; e++) {
        const v = kv.indices[e];
        if (w2[v] === 0) continue;
        for (const i of postings[v]) out[i] += w2[v];
      }
    }
    for (let i = 0; i < n; i++) {
      if (out[i] === 0) continue;
      const d = Math.sqrt(norm2[i] * norm2[j]);
      out[i] = d > 0 ? out[i] / d : 0;
    }
  };
}

export function createAttributeKnn(opts: AttributeKnnOptions): Recommender {
  requireInteger('createAttributeKnn', 'neighbours', opts.neighbours, 0);
  let view: TrainView | undefined;
  let nb: Neighbourhoods | undefined;
  let mark = new Int32Array(0);
  return {
    name: 'attribute-knn',
    fit(train: TrainView) {
      const n = train.numItems;
      // Only items somebody bought can contribute to a score; neighbours are chosen among them.
      const existing = new Uint8Array(n);
      for (const i of train.positives.indices) existing[i] = 1;
      nb = buildNeighbourhoods(n, opts.neighbours, attributeSimilarityRows(train, opts.kindWeights), existing);
      view = train;
      mark = new Int32Array(n);
    },
    scoreUser(u: number, candidates?: Int32Array) {
      if (!view || !nb) throw new Error('attribute-knn: scoreUser before fit');
      return scoreByNeighbours(nb, view, u, mark, candidates);
    },
  };
}
