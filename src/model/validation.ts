/**
 * A minimal validation metric for early stopping: leave-one-out nDCG@k and HR@k of the held-out
 * positive against sampled negatives (the paper's protocol, section 5.1). The full evaluation
 * (several K, full ranking, baselines) lives in src/evaluation.
 */
import type { EranEmbeddings } from './embeddings';
import { Rng } from './rng';
import { contains } from './sampler';
import { scoreUser } from './scorer';

export interface SampledRankingOptions {
  /** Negatives per user (default 100). */
  readonly negatives?: number;
  /** Cut-off (default 10). */
  readonly k?: number;
  /** Seed of the negatives; the same seed gives the same negatives on every call (default 1). */
  readonly seed?: number;
  /** Evaluate only the first `maxUsers` eligible users (default all). */
  readonly maxUsers?: number;
}

export interface SampledRankingResult {
  readonly ndcg: number;
  readonly hitRate: number;
  readonly users: number;
}

/**
 * @param userItems training positives per user (sorted); excluded from the negatives
 * @param heldOut the held-out positive per user, or -1
 * Ties with the held-out item count against it (pessimistic), so a constant scorer gets no credit.
 */
export function sampledRanking(
  emb: EranEmbeddings,
  userItems: readonly Int32Array[],
  heldOut: Int32Array,
  options: SampledRankingOptions = {},
): SampledRankingResult {
  const negatives = options.negatives ?? 100;
  const k = options.k ?? 10;
  const rng = new Rng(options.seed ?? 1);
  const maxUsers = options.maxUsers ?? Infinity;
  let users = 0;
  let ndcg = 0;
  let hits = 0;
  for (let u = 0; u < heldOut.length && users < maxUsers; u++) {
    const target = heldOut[u];
    const train = userItems[u];
    if (target < 0 || train.length === 0 || emb.numItems - train.length - 1 < negatives) continue;
    const seen = new Set<number>();
    while (seen.size < negatives) {
      const c = rng.int(emb.numItems);
      if (c === target || contains(train, c) || seen.has(c)) continue;
      seen.add(c);
    }
    // Only the 101 candidates are scored (the mixture rule costs O(K |R_u| d) per item).
    const scores = scoreUser(emb, u, train, { only: [target, ...seen] });
    const t = scores[target];
    let rank = 1;
    for (const c of seen) if (scores[c] >= t) rank++;
    users++;
    if (rank <= k) {
      hits++;
      ndcg += 1 / Math.log2(rank + 1);
    }
  }
  return { ndcg: users > 0 ? ndcg / users : 0, hitRate: users > 0 ? hits / users : 0, users };
}
