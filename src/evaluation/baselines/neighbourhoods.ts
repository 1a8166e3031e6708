/**
 * Truncated item neighbourhoods shared by ItemKNN and attribute-KNN. Item j keeps its k most
 * similar items N_k(j); a user's score for j is the sum of sim(j, i) over i in R_u and N_k(j).
 * The neighbourhood belongs to the scored item (not to the purchased one) so that a brand-new
 * item only needs its own neighbours among existing items: the cold-start case.
 */
import type { TrainView } from '../train-view';
import { row } from '../train-view';

export interface Neighbourhoods {
  readonly n: number;
  /** Per scored item j: its neighbours i and weights sim(j, i), best first. */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly weights: Float32Array;
  /** Transposed: per neighbour i, the items j that list it (for scoring every item at once). */
  readonly byNeighbour: { readonly indptr: Int32Array; readonly indices: Int32Array; readonly weights: Float32Array };
}

/**
 * Keep, per item, the k items with the highest positive similarity among `allowed` ones
 * (k <= 0 keeps all). `sim` is dense n x n row-major; the diagonal is ignored.
 */
export function buildNeighbourhoods(sim: Float64Array, n: number, k: number, allowed?: Uint8Array): Neighbourhoods {
  const lists: { idx: Int32Array; w: Float32Array }[] = [];
  let total = 0;
  const cand: number[] = [];
  for (let j = 0; j < n; j++) {
    cand.length = 0;
    const rj = j * n;
    for (let i = 0; i < n; i++) if (i !== j && sim[rj + i] > 0 && (!allowed || allowed[i])) cand.push(i);
    // Ties by index keep the neighbourhood (and thus every score) deterministic.
    cand.sort((a, b) => sim[rj + b] - sim[rj + a] || a - b);
    const keep = k > 0 ? Math.min(k, cand.length) : cand.length;
    const idx = Int32Array.from(cand.slice(0, keep));
    lists.push({ idx, w: Float32Array.from(idx, (i) => sim[rj + i]) });
    total += keep;
  }
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(total);
  const weights = new Float32Array(total);
  lists.forEach((l, j) => {
    indptr[j + 1] = indptr[j] + l.idx.length;
    indices.set(l.idx, indptr[j]);
    weights.set(l.w, indptr[j]);
  });
  return { n, indptr, indices, weights, byNeighbour: transpose(n, indptr, indices, weights) };
}

/** Scores of user u for all items (candidates absent) or for the candidates. */
export function scoreByNeighbours(
  nb: Neighbourhoods,
  view: TrainView,
  u: number,
  mark: Int32Array,
  candidates?: Int32Array,
): Float32Array {
  const bought = row(view.positives, u);
  if (!candidates) {
    const acc = new Float64Array(nb.n);
    const t = nb.byNeighbour;
    for (const i of bought) for (let e = t.indptr[i]; e < t.indptr[i + 1]; e++) acc[t.indices[e]] += t.weights[e];
    return Float32Array.from(acc);
  }
  // `mark` is a per-user stamp (u + 1) over items, reused across calls to avoid clearing it.
  const stamp = u + 1;
  for (const i of bought) mark[i] = stamp;
  const out = new Float32Array(candidates.length);
  candidates.forEach((j, c) => {
    let s = 0;
    for (let e = nb.indptr[j]; e < nb.indptr[j + 1]; e++) if (mark[nb.indices[e]] === stamp) s += nb.weights[e];
    out[c] = s;
  });
  for (const i of bought) mark[i] = 0;
  return out;
}

function transpose(n: number, indptr: Int32Array, indices: Int32Array, weights: Float32Array): Neighbourhoods['byNeighbour'] {
  const tptr = new Int32Array(n + 1);
  for (const i of indices) tptr[i + 1]++;
  for (let i = 0; i < n; i++) tptr[i + 1] += tptr[i];
  const fill = tptr.slice(0, n);
  const tidx = new Int32Array(indices.length);
  const tw = new Float32Array(indices.length);
  for (let j = 0; j < n; j++) {
    for (let e = indptr[j]; e < indptr[j + 1]; e++) {
      const at = fill[indices[e]]++;
      tidx[at] = j;
      tw[at] = weights[e];
    }
  }
  return { indptr: tptr, indices: tidx, weights: tw };
}
