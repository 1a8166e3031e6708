/**
 * The paper's eq. 13 ('paper') and the soft nearest-purchase rule ('kernel'): both compare the
 * attention-personalised representations h_{u,x} = sum_k a~^k_{u,x} h^k_x (+ e_x) of a candidate
 * and of each purchase (eq. 7-8), so they share the prepared history and the explanation.
 */
import type { EranEmbeddings } from '../../model/embeddings';
import { foldInUser } from '../../model/fold-in';
import { kernelTau, personalizeInto } from '../../model/personalize';
import { DEFAULT_COLD_AGGREGATE } from '../../model/scorer';
import { containsSorted } from '../../common/sorted-search';
import { recentFirst, uniqueHistory, type ItemExplanation, type ScoringFamily, type UserScorer } from './scoring-family';

abstract class PersonalizedUser implements UserScorer {
  readonly items: Int32Array;
  readonly recent: Int32Array;
  /** h_{u,j} of every purchase, row-major |R_u| x d. */
  protected readonly reps: Float64Array;
  protected readonly h: Float64Array;
  protected readonly att: Float64Array;

  constructor(
    protected readonly emb: EranEmbeddings,
    readonly z: Float32Array,
    history: ArrayLike<number>,
    times: ArrayLike<number> | undefined,
    private readonly adjacentFirst: boolean,
  ) {
    this.items = uniqueHistory(emb, history);
    this.recent = recentFirst(history, times);
    const d = emb.dim;
    this.h = new Float64Array(d);
    this.att = new Float64Array(emb.kinds.length);
    this.reps = new Float64Array(this.items.length * d);
    this.items.forEach((j, p) => {
      personalizeInto(emb, z, j, this.h, this.att);
      this.reps.set(this.h, p * d);
    });
  }

  abstract scoreCandidates(candidates: ArrayLike<number>, out: Float32Array): void;

  /** k* = argmax_k a~^k_{u,i}; the purchases ranked by sim_u(i, j) (eq. 8), most similar first. */
  explain(item: number, maxAnchors: number): ItemExplanation {
    const d = this.emb.dim;
    const hi = new Float64Array(d);
    const attention = new Float64Array(this.emb.kinds.length);
    personalizeInto(this.emb, this.z, item, hi, attention);
    let kind = 0;
    for (let k = 1; k < attention.length; k++) if (attention[k]! > attention[kind]!) kind = k;
    const anchors: Array<{ item: number; similarity: number }> = [];
    this.items.forEach((j, p) => {
      if (j === item) return;
      let dist = 0;
      for (let t = 0; t < d; t++) {
        const diff = hi[t]! - this.reps[p * d + t]!;
        dist += diff * diff;
      }
      anchors.push({ item: j, similarity: -dist });
    });
    anchors.sort((a, b) => b.similarity - a.similarity || a.item - b.item);
    return { kind, attention, anchors: anchors.slice(0, maxAnchors), adjacentFirst: this.adjacentFirst };
  }
}

/** eq. 13: r_{u,i} = -sum_j ||h_ui - h_uj||^2 = -(|R_u| ||h_ui||^2 - 2 h_ui . S + Q) (+ |R_u| b_i). */
class PaperUser extends PersonalizedUser {
  private readonly sum: Float64Array;
  private readonly sumSq: number;

  constructor(emb: EranEmbeddings, z: Float32Array, history: ArrayLike<number>, times?: ArrayLike<number>) {
    // The paper prefers an anchor adjacent to the item in G_k*, so that a shared value exists to show.
    super(emb, z, history, times, true);
    const d = emb.dim;
    this.sum = new Float64Array(d);
    let sumSq = 0;
    for (let q = 0; q < this.reps.length; q++) {
      this.sum[q % d]! += this.reps[q]!;
      sumSq += this.reps[q]! * this.reps[q]!;
    }
    this.sumSq = sumSq;
  }

  scoreCandidates(candidates: ArrayLike<number>, out: Float32Array): void {
    const { dim: d, itemBias } = this.emb;
    const r = this.items.length;
    for (let c = 0; c < candidates.length; c++) {
      const x = candidates[c]!;
      if (containsSorted(this.items, x)) {
        out[c] = -Infinity;
        continue;
      }
      personalizeInto(this.emb, this.z, x, this.h, this.att);
      let norm = 0;
      let dot = 0;
      for (let t = 0; t < d; t++) {
        norm += this.h[t]! * this.h[t]!;
        dot += this.h[t]! * this.sum[t]!;
      }
      out[c] = -(r * norm - 2 * dot + this.sumSq) + (itemBias ? r * itemBias[x]! : 0);
    }
  }
}

/** s(u, x) = b_x + tau log sum_j exp(-||h_ux - h_uj||^2 / tau), a soft nearest purchase. */
class KernelUser extends PersonalizedUser {
  private readonly dist: Float64Array;

  constructor(emb: EranEmbeddings, z: Float32Array, history: ArrayLike<number>, times?: ArrayLike<number>) {
    // The score's largest term is the most similar purchase: that is the faithful anchor.
    super(emb, z, history, times, false);
    this.dist = new Float64Array(this.items.length);
  }

  scoreCandidates(candidates: ArrayLike<number>, out: Float32Array): void {
    const { dim: d, itemBias } = this.emb;
    const tau = kernelTau(this.emb);
    const r = this.items.length;
    for (let c = 0; c < candidates.length; c++) {
      const x = candidates[c]!;
      if (containsSorted(this.items, x)) {
        out[c] = -Infinity;
        continue;
      }
      let score = 0;
      if (r > 0) {
        personalizeInto(this.emb, this.z, x, this.h, this.att);
        let min = Infinity;
        for (let p = 0; p < r; p++) {
          let s = 0;
          for (let t = 0; t < d; t++) {
            const diff = this.h[t]! - this.reps[p * d + t]!;
            s += diff * diff;
          }
          this.dist[p] = s;
          if (s < min) min = s;
        }
        let sum = 0;
        for (let p = 0; p < r; p++) sum += Math.exp((min - this.dist[p]!) / tau);
        score = tau * Math.log(sum) - min;
      }
      out[c] = score + (itemBias ? itemBias[x]! : 0);
    }
  }
}

/**
 * Shared by both: a new user is folded in (fold-in.ts: the mean learned z refined on their
 * purchases, since attention is the personal part of these rules); items nobody bought in
 * training are better served by attribute-only codes than by the codes of an empty adjacency row;
 * biases are centred on 0 by the pairwise losses, so a new item gets 0.
 */
const personalizedBase = {
  keepsUnboughtItemVectors: false,
  newItemBias: (): number => 0,
  newUser: (emb: EranEmbeddings, items: Int32Array): Float32Array => foldInUser(emb, items),
} as const;

export const PAPER_FAMILY: ScoringFamily = {
  ...personalizedBase,
  scoring: 'paper',
  coldAggregate: DEFAULT_COLD_AGGREGATE,
  coldAggregates: ['min', 'max', 'mean'],
  user: (emb, z, history, times) => new PaperUser(emb, z, history, times),
};

export const KERNEL_FAMILY: ScoringFamily = {
  ...personalizedBase,
  scoring: 'kernel',
  coldAggregate: 'kernel',
  coldAggregates: ['min', 'max', 'mean', 'kernel'],
  user: (emb, z, history, times) => new KernelUser(emb, z, history, times),
};
