/** ItemKNN: cosine similarity on the binary user-item matrix of training positives. */
import type { Recommender } from '../protocols';
import { itemUsers, row, type TrainView } from '../train-view';
import { requireInteger } from '../validate';
import { buildNeighbourhoods, type Neighbourhoods, scoreByNeighbours, type SimilarityRow } from './neighbourhoods';

export interface ItemKnnOptions {
  /** Neighbourhood size k per item (<= 0: all items). The tuned hyper-parameter. */
  readonly neighbours: number;
}

/**
 * Row j of the cosine similarity, from the sparse data: co-occurrence counts of j with every item
 * (through j's buyers), over sqrt(deg_j deg_i). Costs sum over users of |R_u|^2 for all rows and
 * holds no n x n table.
 */
export function cosineRows(view: TrainView): SimilarityRow {
  const buyers = itemUsers(view);
  const norm = Float64Array.from({ length: view.numItems }, (_, i) => Math.sqrt(buyers.indptr[i + 1] - buyers.indptr[i]));
  return (j, out) => {
    for (const u of row(buyers, j)) for (const i of row(view.positives, u)) out[i] += 1;
    for (let i = 0; i < out.length; i++) {
      if (out[i] === 0) continue;
      out[i] = out[i] / (norm[j] * norm[i]);
    }
  };
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
      nb = buildNeighbourhoods(n, opts.neighbours, cosineRows(train));
      view = train;
      mark = new Int32Array(n);
    },
    scoreUser(u: number, candidates?: Int32Array) {
      if (!view || !nb) throw new Error('item-knn: scoreUser before fit');
      return scoreByNeighbours(nb, view, u, mark, candidates);
    },
  };
}
