/** Item-item co-occurrence of training positives, X^T X, shared by EASE and ItemKNN. */
import type { TrainView } from '../train-view';

/** Dense n x n (row-major) count of users who bought both items; the diagonal holds item degrees. */
export function cooccurrence(view: TrainView): Float64Array {
  const n = view.numItems;
  const g = new Float64Array(n * n);
  const { indptr, indices } = view.positives;
  for (let u = 0; u < view.numUsers; u++) {
    const start = indptr[u];
    const end = indptr[u + 1];
    for (let a = start; a < end; a++) {
      const ri = indices[a] * n;
      // Rows are sorted, so the upper triangle (j >= i) is filled, then mirrored once.
      for (let b = a; b < end; b++) g[ri + indices[b]] += 1;
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) g[j * n + i] = g[i * n + j];
  return g;
}
