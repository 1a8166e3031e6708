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
 * Writes item j's similarity to every item into `out` (length n, zeroed by the caller) and
 * returns nothing; only positive entries become neighbours.
 */
export type SimilarityRow = (j: number, out: Float64Array) => void;

/**
 * Keep, per item, the k items with the highest positive similarity among `allowed` ones
 * (k <= 0 keeps all); the diagonal is ignored. Rows come one at a time from `rowOf`, so no
 * n x n table is held.
 */
export function buildNeighbourhoods(n: number, k: number, rowOf: SimilarityRow, allowed?: Uint8Array): Neighbourhoods {
  const lists: { idx: Int32Array; w: Float32Array }[] = [];
  let total = 0;
  const sim = new Float64Array(n);
  const cand: number[] = [];
  for (let j = 0; j < n; j++) {
    sim.fill(0);
    rowOf(j, sim);
    cand.length = 0;
    for (let i = 0; i < n; i++) if (i !== j && sim[i] > 0 && (!allowed || allowed[i])) cand.push(i);
    const idx = Int32Array.from(k > 0 && k < cand.length ? topByScore(cand, k, sim) : sortByScore(cand, sim));
    lists.push({ idx, w: Float32Array.from(idx, (i) => sim[i]) });
    total += idx.length;
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

// Best first; ties by index keep the neighbourhood (and thus every score) deterministic.
function sortByScore(cand: number[], sim: Float64Array): number[] {
  return cand.sort((a, b) => sim[b] - sim[a] || a - b);
}

/**
 * The first k of sortByScore(cand), in that order, through a size-k heap (O(c log k) instead of
 * O(c log c)): attribute similarities are dense (a shared genre links thousands of items).
 */
function topByScore(cand: readonly number[], k: number, sim: Float64Array): number[] {
  // Min-heap on the ranking order: the root is the worst item kept so far.
  const worse = (a: number, b: number): boolean => sim[a] < sim[b] || (sim[a] === sim[b] && a > b);
  const heap: number[] = [];
  const siftDown = (at: number): void => {
    for (;;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let m = at;
      if (l < heap.length && worse(heap[l], heap[m])) m = l;
      if (r < heap.length && worse(heap[r], heap[m])) m = r;
      if (m === at) return;
      [heap[at], heap[m]] = [heap[m], heap[at]];
      at = m;
    }
  };
  for (const c of cand) {
    if (heap.length < k) {
      heap.push(c);
      for (let at = heap.length - 1; at > 0;) {
        const parent = (at - 1) >> 1;
        if (!worse(heap[at], heap[parent])) break;
        [heap[at], heap[parent]] = [heap[parent], heap[at]];
        at = parent;
      }
    } else if (worse(heap[0], c)) {
      heap[0] = c;
      siftDown(0);
    }
  }
  return sortByScore(heap, sim);
}

/** Scores of user u for all items (candidates absent) or for the candidates. */
export function scoreByNeighbours(nb: Neighbourhoods, view: TrainView, u: number, mark: Int32Array, candidates?: Int32Array): Float32Array {
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
