/**
 * eran-plus ('mixture'): the attention mixes one similarity kernel per attribute network,
 *   s(u, x) = b_x + tau log( sum_k a~^k_ux sum_{j in R_u \ {x}} w_uj K^k(x, j) + eps ),
 *   K^k(x, j) = exp(-||h^k_x - h^k_j||^2 / tau),  h^k = code^k + e,
 * with w_uj the recency weight of purchase j. The score is a sum of (kind, purchase) terms, so the
 * explanation is read off it: j* = the purchase contributing most, k* = the kind carrying most of it.
 */
import type { EranEmbeddings } from '../../model/embeddings';
import { strongestContribution } from '../../model/explain';
import { meanUserEmbedding } from '../../model/fold-in';
import { MIXTURE_EPSILON } from '../../model/mixture';
import { kindVector, mixtureAttention, mixtureBreakdown } from '../../model/mixture-scoring';
import { kernelSums } from './kernel-sums';
import { kernelTau } from '../../model/personalize';
import { weightedHistory } from '../../model/scorer';
import { containsSorted } from '../../common/sorted-search';
import { recentFirst, type ItemExplanation, type ScoringFamily, type UserScorer } from './scoring-family';

class MixtureUser implements UserScorer {
  readonly items: Int32Array;
  readonly recent: Int32Array;
  private readonly weights: Float32Array;
  /** Per kind: h^k_j of every purchase, row-major |R_u| x d. */
  private readonly vectors: Float64Array[];
  /** Per kind: ||h^k_j||^2 of every purchase. */
  private readonly norms: Float64Array[];
  private readonly att: Float64Array;

  constructor(
    private readonly emb: EranEmbeddings,
    readonly z: Float32Array,
    history: ArrayLike<number>,
    times: ArrayLike<number> | undefined,
  ) {
    // One weight per item: the recency weight of its latest purchase (1 without a half-life).
    const { items, weights } = weightedHistory(emb, history, times);
    this.items = items;
    this.weights = weights;
    this.recent = recentFirst(history, times);
    const d = emb.dim;
    this.att = new Float64Array(emb.kinds.length);
    // Rows computed from the codes directly rather than from a cached N x d table: the engine
    // appends cold items to its embeddings, and a per-catalogue table would be rebuilt each time.
    const row = new Float64Array(d);
    this.vectors = emb.kinds.map((_, k) => {
      const out = new Float64Array(items.length * d);
      items.forEach((j, p) => {
        kindVector(emb, j, k, row);
        out.set(row, p * d);
      });
      return out;
    });
    this.norms = this.vectors.map((v) => Float64Array.from({ length: items.length }, (_, p) => squaredNorm(v, p * d, d)));
  }

  /**
   * The cost is |candidates| x K x |R_u| x d multiply-adds (kernel-sums.ts runs them), plus the
   * attention of each candidate. Candidates go in blocks, so that the exact path over a whole
   * catalogue never holds more than a block's K x |R_u| kernel values at once (the wasm heap is
   * 32-bit and never shrinks).
   */
  scoreCandidates(candidates: ArrayLike<number>, out: Float32Array): void {
    const scored: number[] = [];
    for (let c = 0; c < candidates.length; c++) {
      const x = candidates[c]!;
      if (!(Number.isInteger(x) && x >= 0 && x < this.emb.numItems))
        throw new Error(`candidates: expected item indexes in [0, ${this.emb.numItems}), got ${x}`);
      if (containsSorted(this.items, x)) out[c] = -Infinity;
      else scored.push(c);
    }
    for (let start = 0; start < scored.length; start += BLOCK) this.scoreBlock(candidates, scored.slice(start, start + BLOCK), out);
  }

  private scoreBlock(candidates: ArrayLike<number>, scored: readonly number[], out: Float32Array): void {
    const { emb, items, att, z } = this;
    const d = emb.dim;
    const kinds = emb.kinds.length;
    const tau = kernelTau(emb);
    const e = emb.itemEmbedding ?? null;
    const count = scored.length;
    // a~^k_ux = softmax_k(code^k_x . z_u) per candidate, then mix_x = sum_k a~^k_ux C^k_ux
    const attention = new Float64Array(count * kinds);
    scored.forEach((c, q) => {
      mixtureAttention(emb, z, candidates[c]!, att);
      attention.set(att, q * kinds);
    });
    const vectors = emb.kinds.map((_, k) => {
      const code = emb.codes[k]!;
      const rows = new Float64Array(count * d);
      scored.forEach((c, q) => {
        const xo = candidates[c]! * d;
        // Items appended after training have no free vector: e = 0.
        const hasE = e !== null && xo + d <= e.length;
        for (let t = 0; t < d; t++) rows[q * d + t] = code[xo + t]! + (hasE ? e[xo + t]! : 0);
      });
      return rows;
    });
    const sums = emb.kinds.map(() => new Float64Array(count));
    kernelSums({ x: vectors, count, h: this.vectors, hNorms: this.norms, weights: this.weights, r: items.length, d, tau }, sums);
    const bias = emb.itemBias;
    scored.forEach((c, q) => {
      let mix = 0;
      for (let k = 0; k < kinds; k++) mix += attention[q * kinds + k]! * sums[k]![q]!;
      out[c] = tau * Math.log(mix + MIXTURE_EPSILON) + (bias ? bias[candidates[c]!]! : 0);
    });
  }

  /**
   * j* is the purchase with the largest contribution a~^k w_j K^k summed over kinds (removing it
   * lowers the score more than removing any other), k* the kind through which it contributes most;
   * the anchors are the purchases by contribution, `similarity` their kernel similarity in k*.
   */
  explain(item: number, maxAnchors: number): ItemExplanation {
    const parts = mixtureBreakdown(this.emb, this.z, this.items, this.weights, this.vectors, item);
    const { kind, contributions } = strongestContribution(parts);
    const terms = parts.terms[kind]!;
    const tau = kernelTau(this.emb);
    const anchors = Array.from(this.items.keys())
      .filter((p) => this.items[p] !== item && contributions[p]! > 0)
      .sort((a, b) => contributions[b]! - contributions[a]! || a - b)
      .slice(0, maxAnchors)
      .map((p) => ({ item: this.items[p]!, similarity: terms[p]! > 0 ? tau * Math.log(terms[p]! / this.weights[p]!) : -Infinity }));
    return { kind, attention: parts.attention, anchors, adjacentFirst: false };
  }
}

function squaredNorm(v: Float64Array, offset: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += v[offset + t]! * v[offset + t]!;
  return s;
}

/** Candidates scored together (a request's few hundred fit in one block). */
const BLOCK = 2048;

const meanZ = new WeakMap<Float32Array, Float32Array>();

export const MIXTURE_FAMILY: ScoringFamily = {
  scoring: 'mixture',
  coldAggregate: 'kernel',
  coldAggregates: ['min', 'max', 'mean', 'kernel'],
  // The likelihood covers every item of the catalogue, bought or not: a never-bought item's
  // trained vectors already say so, whereas attribute-only codes would make it look central.
  keepsUnboughtItemVectors: true,
  /**
   * The likelihood is shift-invariant in the biases, so the neutral value is the median learned
   * bias: a new item competes on its attribute kernels, neither pushed nor buried.
   */
  newItemBias(emb: EranEmbeddings): number {
    if (emb.itemBias === null || emb.itemBias.length === 0) return 0;
    const sorted = Float32Array.from(emb.itemBias).sort();
    return sorted[Math.floor(sorted.length / 2)]!;
  },
  // z only steers the attention between kernels; the history itself carries the user (every
  // purchase is a kernel key), so a new user starts from the mean learned attention.
  newUser(emb: EranEmbeddings): Float32Array {
    let z = meanZ.get(emb.users);
    if (z === undefined) {
      z = meanUserEmbedding(emb);
      meanZ.set(emb.users, z);
    }
    return z;
  },
  user: (emb, z, history, times) => new MixtureUser(emb, z, history, times),
};
