/**
 * Attribute-KNN, the attribute-aware baseline for cold start: item-item cosine similarity of
 * IDF-weighted attribute-value vectors (a shared rare actor says more than a shared "Drama"),
 * and a user's score for item j is the sum of its similarities to the user's purchases among
 * j's k most similar *existing* items. It needs no interactions for j, so new items are scored.
 */
import type { Recommender } from '../protocols';
import type { TrainView } from '../train-view';
import { requireInteger } from '../validate';
import { buildNeighbourhoods, type Neighbourhoods, scoreByNeighbours } from './neighbourhoods';

export interface AttributeKnnOptions {
  /** Neighbourhood size k (<= 0: all). The tuned hyper-parameter. */
  readonly neighbours: number;
  /** Per-kind multipliers of the value weights (default 1 for every kind). */
  readonly kindWeights?: Readonly<Record<string, number>>;
}

/** Dense n x n cosine similarity of IDF-weighted attribute vectors. Exposed for tests. */
export function attributeSimilarity(view: TrainView, kindWeights: Readonly<Record<string, number>> = {}): Float64Array {
  const attrs = view.attributes;
  if (!attrs) throw new Error('attribute-knn needs item attributes in the TrainView');
  const n = view.numItems;
  let described = 0;
  for (let i = 0; i < n; i++) if (attrs.byKind.some((k) => k.indptr[i + 1] > k.indptr[i])) described++;
  const sim = new Float64Array(n * n);
  const norm2 = new Float64Array(n);
  for (const kv of attrs.byKind) {
    const scale = kindWeights[kv.kind] ?? 1;
    const postings: number[][] = kv.valueIds.map(() => []);
    for (let i = 0; i < n; i++) for (let e = kv.indptr[i]; e < kv.indptr[i + 1]; e++) postings[kv.indices[e]].push(i);
    for (const items of postings) {
      if (items.length === 0) continue;
      const w = scale * Math.log(described / items.length);
      const w2 = w * w;
      if (w2 === 0) continue;
      for (let a = 0; a < items.length; a++) {
        const ra = items[a] * n;
        norm2[items[a]] += w2;
        for (let b = a + 1; b < items.length; b++) sim[ra + items[b]] += w2;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.sqrt(norm2[i] * norm2[j]);
      const s = d > 0 ? sim[i * n + j] / d : 0;
      sim[i * n + j] = s;
      sim[j * n + i] = s;
    }
  }
  return sim;
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
      nb = buildNeighbourhoods(attributeSimilarity(train, opts.kindWeights), n, opts.neighbours, existing);
      view = train;
      mark = new Int32Array(n);
    },
    scoreUser(u: number, candidates?: Int32Array) {
      if (!view || !nb) throw new Error('attribute-knn: scoreUser before fit');
      return scoreByNeighbours(nb, view, u, mark, candidates);
    },
  };
}
