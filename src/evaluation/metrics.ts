/**
 * Ranking metrics. Ties are broken pessimistically: the relevant item is ranked after every
 * other candidate with the same score. Alternatives reward nothing real: breaking ties by item
 * index would let a model that gives many items the same score (popularity over unseen items, an
 * untrained network, a constant) profit whenever the target has a low index, and MovieLens
 * numbers its popular early titles first; breaking them at random makes metrics depend on the
 * candidate order. Pessimistic ranks depend only on the multiset of scores, so a split written to
 * CSV and read back in another order gives identical metrics. NaN scores count as -Infinity.
 */
import { lowerBound, upperBound } from '../common/sorted-search';

/**
 * 1-based rank of `target` under `scores`. Without `candidates` the rank is among all indexes
 * of `scores`; with them, among those indexes (target counted whether listed or not).
 */
export function rankOf(scores: ArrayLike<number>, target: number, candidates?: ArrayLike<number>): number {
  const t = clean(scores[target]);
  let rank = 1;
  if (candidates === undefined) {
    for (let i = 0; i < scores.length; i++) if (i !== target && clean(scores[i]) >= t) rank++;
    return rank;
  }
  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[k];
    if (c !== target && clean(scores[c]) >= t) rank++;
  }
  return rank;
}

/** Hit rate at K: 1 when the (single) relevant item is in the top K. */
export function hitAtK(rank: number, k: number): number {
  return rank <= k ? 1 : 0;
}

/** Precision at K with one relevant item: HR@K / K. */
export function precisionAtK(rank: number, k: number): number {
  return rank <= k ? 1 / k : 0;
}

/** nDCG at K with one relevant item: the ideal DCG is 1, so this is 1/log2(rank + 1). */
export function ndcgAtK(rank: number, k: number): number {
  return rank <= k ? 1 / Math.log2(rank + 1) : 0;
}

/** Recall at K from the ranks of all relevant items (equal to HR@K when there is one). */
export function recallAtK(relevantRanks: ArrayLike<number>, k: number): number {
  if (relevantRanks.length === 0) return 0;
  let hits = 0;
  for (let i = 0; i < relevantRanks.length; i++) if (relevantRanks[i] <= k) hits++;
  return hits / relevantRanks.length;
}

/**
 * Ranks of several relevant indexes among all of `scores`, pessimistic: within a group of equal
 * scores every non-relevant index comes first, then the relevant ones (in index order).
 */
export function ranksOfRelevant(scores: ArrayLike<number>, relevant: ArrayLike<number>): Int32Array {
  const sorted = Float64Array.from({ length: scores.length }, (_, i) => clean(scores[i])).sort();
  const rel = Array.from({ length: relevant.length }, (_, k) => relevant[k]).sort((a, b) => clean(scores[b]) - clean(scores[a]) || a - b);
  const out = new Int32Array(relevant.length);
  const position = new Map<number, number>();
  rel.forEach((r, k) => position.set(r, k));
  let k = 0;
  while (k < rel.length) {
    const s = clean(scores[rel[k]]);
    let end = k;
    while (end < rel.length && clean(scores[rel[end]]) === s) end++;
    const greater = sorted.length - upperBound(sorted, s);
    const tied = upperBound(sorted, s) - lowerBound(sorted, s);
    const base = greater + tied - (end - k);
    for (let j = k; j < end; j++) out[position.get(rel[j])!] = base + (j - k) + 1;
    k = end;
  }
  // Map back to the caller's order of `relevant`.
  const result = new Int32Array(relevant.length);
  for (let i = 0; i < relevant.length; i++) result[i] = out[position.get(relevant[i])!];
  return result;
}

/**
 * The K best indexes, best first, skipping `excluded` ones. Ties go to the lower index: a top-K
 * list needs some order, and this one is stable across runs (only lists use it, not metrics).
 */
export function topK(scores: ArrayLike<number>, k: number, excluded?: (index: number) => boolean): Int32Array {
  const best: number[] = [];
  const better = (a: number, b: number): boolean => {
    const sa = clean(scores[a]);
    const sb = clean(scores[b]);
    return sa > sb || (sa === sb && a < b);
  };
  for (let i = 0; i < scores.length; i++) {
    if (excluded?.(i)) continue;
    if (best.length === k && !better(i, best[k - 1])) continue;
    let at = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(i);
    while (at > 0 && better(i, best[at - 1])) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = i;
  }
  return Int32Array.from(best);
}

/** Share of the catalogue that appears in at least one list. */
export function catalogueCoverage(lists: readonly ArrayLike<number>[], numItems: number): number {
  if (numItems === 0) return 0;
  const seen = new Uint8Array(numItems);
  let count = 0;
  for (const list of lists) {
    for (let k = 0; k < list.length; k++) {
      if (!seen[list[k]]) {
        seen[list[k]] = 1;
        count++;
      }
    }
  }
  return count / numItems;
}

function clean(x: number): number {
  return Number.isNaN(x) ? -Infinity : x;
}
