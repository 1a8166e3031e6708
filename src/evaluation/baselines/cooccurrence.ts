/** Item-item co-occurrence of training positives, X^T X, for EASE and ItemKNN. */
import type { TrainView } from '../train-view';

/** Items with at least one training positive, numbered 0..size-1 in item order; -1 for the others. */
export interface ItemSubset {
  /** Item index -> position in the subset, or -1. */
  readonly position: Int32Array;
  /** Position -> item index. */
  readonly items: Int32Array;
}

export function boughtItems(view: TrainView): ItemSubset {
  const position = new Int32Array(view.numItems).fill(-1);
  for (const i of view.positives.indices) position[i] = 0;
  let size = 0;
  for (let i = 0; i < view.numItems; i++) if (position[i] === 0) position[i] = size++;
  const items = new Int32Array(size);
  for (let i = 0; i < view.numItems; i++) if (position[i] >= 0) items[position[i]] = i;
  return { position, items };
}

/**
 * Dense m x m (row-major, m = subset size, default every item) count of users who bought both
 * items; the diagonal holds item degrees. Counts are integers, exact in float32 up to 2^24 users,
 * and float32 halves the memory of the one N x N table EASE needs. Cost: sum over users of |R_u|^2.
 */
export function cooccurrence(view: TrainView, subset?: ItemSubset): Float32Array {
  const m = subset ? subset.items.length : view.numItems;
  const pos = subset?.position;
  const g = new Float32Array(m * m);
  const { indptr, indices } = view.positives;
  for (let u = 0; u < view.numUsers; u++) {
    const start = indptr[u];
    const end = indptr[u + 1];
    for (let a = start; a < end; a++) {
      const ra = (pos ? pos[indices[a]] : indices[a]) * m;
      // Rows are sorted and the subset keeps item order, so the upper triangle is filled, then mirrored.
      for (let b = a; b < end; b++) g[ra + (pos ? pos[indices[b]] : indices[b])] += 1;
    }
  }
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) g[j * m + i] = g[i * m + j];
  return g;
}
