/**
 * Explanations (paper section 3.4) over frozen embeddings: "we recommend i because it is similar
 * to j* on attribute k*", with k* = argmax_k a~^k_{u,i} and j* the purchased item most similar to
 * i under sim_u (eq. 8), preferring a j* adjacent to i in G_k* so that a shared value exists to
 * show. The graph path itself (u)-[:PURCHASED]->(j*)-[:HAS_K]->(value)<-[:HAS_K]-(i) is read from
 * Neo4j by the explanation service; this module decides which kind and which anchor.
 */
import type { EranEmbeddings } from './embeddings';
import type { CsrAdjacency } from './graph-data';
import type { FoldInOptions } from './fold-in';
import { checkItem, isKernel, kernelTau, personalizeInto, squaredDistance } from './personalize';
import { contains } from './sampler';
import { historyVectors, isMixture, mixtureBreakdown, type MixtureBreakdown } from './mixture-scoring';
import { UserRef, userVector, weightedHistory } from './scorer';

export interface KindAttention {
  readonly kind: string;
  readonly weight: number;
}

export interface Explanation {
  readonly item: number;
  /** k*: the kind with the largest attention of this user for this item. */
  readonly kind: string;
  readonly kindIndex: number;
  /** a~^k_{u,i} for every kind, in model order (sums to 1). */
  readonly attention: readonly KindAttention[];
  /** j*: the purchased item most similar to `item` under sim_u, or null with an empty history. */
  readonly anchor: number | null;
  /** sim_u(item, anchor) = -||h_{u,i} - h_{u,j*}||^2. */
  readonly anchorSimilarity: number | null;
  /**
   * Whether j* is a neighbour of i in G_k* (they share a value of k* and were co-purchased).
   * false: no purchased item is adjacent, j* is related through higher-order proximity and the
   * caller should show a shortest G_k* path. null: no networks were given.
   */
  readonly anchorAdjacent: boolean | null;
}

export interface ExplainOptions {
  /** The attribute networks, to prefer an anchor adjacent in G_k*. */
  readonly networks?: readonly CsrAdjacency[];
  readonly foldIn?: FoldInOptions;
  /** Purchase times aligned with `history` (recency weights of mixture models). */
  readonly times?: ArrayLike<number>;
}

export function explain(emb: EranEmbeddings, user: UserRef, history: ArrayLike<number>, item: number, options: ExplainOptions = {}): Explanation {
  checkItem(emb, item);
  const { networks } = options;
  if (networks && networks.length !== emb.kinds.length) {
    throw new Error(`explain: expected ${emb.kinds.length} networks (${emb.kinds.join(', ')}), got ${networks.length}`);
  }
  if (isMixture(emb)) return explainMixture(emb, user, history, item, options);
  const purchased = Array.from(new Set(Array.from(history))).filter((j) => j !== item);
  const z = userVector(emb, user, purchased, options.foldIn);
  const d = emb.dim;
  const hi = new Float64Array(d);
  const att = new Float64Array(emb.kinds.length);
  personalizeInto(emb, z, item, hi, att);
  let kindIndex = 0;
  for (let k = 1; k < att.length; k++) if (att[k] > att[kindIndex]) kindIndex = k;
  const attention = emb.kinds.map((kind, k) => ({ kind, weight: att[k] }));

  const net = networks?.[kindIndex];
  const row = net ? net.indices.subarray(net.indptr[item], net.indptr[item + 1]) : null;
  const hj = new Float64Array(d);
  const scratch = new Float64Array(emb.kinds.length);
  let best: { item: number; sim: number } | null = null;
  let bestAdjacent: { item: number; sim: number } | null = null;
  for (const j of purchased) {
    if (!(j >= 0 && j < emb.numItems)) throw new Error(`history: expected item indexes in [0, ${emb.numItems}), got ${j}`);
    personalizeInto(emb, z, j, hj, scratch);
    const sim = -squaredDistance(hi, hj, d);
    if (best === null || sim > best.sim) best = { item: j, sim };
    if (row && contains(row, j) && (bestAdjacent === null || sim > bestAdjacent.sim)) bestAdjacent = { item: j, sim };
  }
  // Kernel scoring: the score is a soft maximum over the purchases, so the faithful anchor is its
  // largest term, the most similar purchase, adjacent in G_k* or not (anchorAdjacent says which).
  const kernel = isKernel(emb);
  const chosen = kernel ? best : (bestAdjacent ?? best);
  return {
    item,
    kind: emb.kinds[kindIndex],
    kindIndex,
    attention,
    anchor: chosen?.item ?? null,
    anchorSimilarity: chosen?.sim ?? null,
    anchorAdjacent: row === null || chosen === null ? null : kernel ? contains(row, chosen.item) : bestAdjacent !== null,
  };
}

/**
 * Mixture scoring: the score is tau log sum_j c_j with c_j = w_j sum_k a~^k K^k(x, j), one
 * contribution per purchase. j* is the purchase with the largest c_j, so removing it lowers the
 * score more than removing any other purchase; k* is the kind through which j* contributes most
 * (the largest a~^k w_j K^k(x, j*)), the attribute to show on the path between them.
 */
function explainMixture(emb: EranEmbeddings, user: UserRef, history: ArrayLike<number>, item: number, options: ExplainOptions): Explanation {
  const { items, weights } = weightedHistory(emb, history, options.times);
  const keep = Array.from(items.keys()).filter((p) => items[p] !== item);
  const purchased = Int32Array.from(keep, (p) => items[p]);
  const w = Float32Array.from(keep, (p) => weights[p]);
  const z = userVector(emb, user, purchased, options.foldIn);
  const parts = mixtureBreakdown(emb, z, purchased, w, historyVectors(emb, purchased), item);
  const { anchor: best, kind: kindIndex } = strongestContribution(parts);
  const net = options.networks?.[kindIndex];
  const anchor = best >= 0 ? purchased[best] : null;
  const tau = kernelTau(emb);
  const term = best >= 0 ? parts.terms[kindIndex][best] : 0;
  return {
    item,
    kind: emb.kinds[kindIndex],
    kindIndex,
    attention: emb.kinds.map((kind, k) => ({ kind, weight: parts.attention[k] })),
    anchor,
    // K^k*(x, j*) = term / w_j* = exp(-||h^k*_x - h^k*_j*||^2 / tau)
    anchorSimilarity: best >= 0 && term > 0 ? tau * Math.log(term / w[best]) : null,
    anchorAdjacent: net && anchor !== null ? contains(net.indices.subarray(net.indptr[item], net.indptr[item + 1]), anchor) : null,
  };
}

/**
 * The history position with the largest total contribution sum_k a~^k terms^k_j (-1 when empty)
 * and the kind carrying most of it (with an empty history: the kind of largest attention).
 */
export function strongestContribution(parts: MixtureBreakdown): { anchor: number; kind: number; contributions: Float64Array } {
  const kinds = parts.attention.length;
  const r = kinds > 0 ? parts.terms[0].length : 0;
  const contributions = new Float64Array(r);
  for (let p = 0; p < r; p++) for (let k = 0; k < kinds; k++) contributions[p] += parts.attention[k] * parts.terms[k][p];
  let anchor = -1;
  for (let p = 0; p < r; p++) if (contributions[p] > 0 && (anchor < 0 || contributions[p] > contributions[anchor])) anchor = p;
  let kind = 0;
  for (let k = 1; k < kinds; k++) {
    const better =
      anchor >= 0
        ? parts.attention[k] * parts.terms[k][anchor] > parts.attention[kind] * parts.terms[kind][anchor]
        : parts.attention[k] > parts.attention[kind];
    if (better) kind = k;
  }
  return { anchor, kind, contributions };
}

/**
 * The user's average attention over their own purchases (paper section 5.3: "the users' average
 * attention scores for all the items that they have interacted with"), per kind.
 */
export function userAttentionProfile(emb: EranEmbeddings, user: UserRef, history: ArrayLike<number>, foldIn?: FoldInOptions): KindAttention[] {
  const items = Array.from(new Set(Array.from(history)));
  const z = userVector(emb, user, items, foldIn);
  const mean = new Float64Array(emb.kinds.length);
  const h = new Float64Array(emb.dim);
  const att = new Float64Array(emb.kinds.length);
  for (const j of items) {
    checkItem(emb, j, 'history item');
    personalizeInto(emb, z, j, h, att);
    for (let k = 0; k < att.length; k++) mean[k] += att[k] / items.length;
  }
  return emb.kinds.map((kind, k) => ({ kind, weight: mean[k] }));
}
