/** ItemKNN: cosine similarity on the binary user-item matrix of training positives. */
import type { Recommender } from '../protocols';
import type { TrainView } from '../train-view';
import { requireInteger } from '../validate';
import { cooccurrence } from './cooccurrence';
import { buildNeighbourhoods, type Neighbourhoods, scoreByNeighbours } from './neighbourhoods';

export interface ItemKnnOptions {
  /** Neighbourhood size k per item (<= 0: all items). The tuned hyper-parameter. */
  readonly neighbours: number;
}

export function createItemKnn(opts: ItemKnnOptions): Recommender {
  requireInteger('createItemKnn', 'neighbours', opts.neighbours, 0);
  let view: TrainView | undefined;
  let nb: Neighbourhoods | undefined;
  let mark = new Int32Array(0);
  return {
    name: 'item-knn',
    fit(train: TrainView) {
      const n = train.numItems;
      const sim = cooccurrence(train);
      const norm = Float64Array.from({ length: n }, (_, i) => Math.sqrt(sim[i * n + i]));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const d = norm[i] * norm[j];
          sim[i * n + j] = d > 0 ? sim[i * n + j] / d : 0;
        }
      }
      nb = buildNeighbourhoods(sim, n, opts.neighbours);
      view = train;
      mark = new Int32Array(n);
    },
    scoreUser(u: number, candidates?: Int32Array) {
      if (!view || !nb) throw new Error('item-knn: scoreUser before fit');
      return scoreByNeighbours(nb, view, u, mark, candidates);
    },
  };
}
