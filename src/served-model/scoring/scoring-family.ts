/**
 * One object per scoring rule of a trained eRAN ('paper' eq. 13, 'kernel', 'mixture' = eran-plus),
 * chosen once when a model is loaded (`scoringFamilyOf`), so that no caller branches on the rule.
 * A family knows how to score a user's candidates exactly, explain an item, treat items added after
 * training and users the model never learned. Pure TypeScript over frozen embeddings (item and
 * user indexes, no ids, no tensors); the served engine and the evaluation adapter both use it.
 */
import type { EranEmbeddings } from '../../model/embeddings';
import type { ScoringMode } from '../../model/options';
import type { ColdAggregate } from '../../model/scorer';

/**
 * A user prepared for scoring: what every candidate's score needs from R_u, computed once per
 * history version (the personalised history vectors, sums, weights).
 */
export interface UserScorer {
  /** z_u: the learned row, or the family's vector for a new user. */
  readonly z: Float32Array;
  /** R_u: unique item indexes, sorted ascending. */
  readonly items: Int32Array;
  /** Items of R_u, the most recent purchase first: candidate generation starts from these. */
  readonly recent: Int32Array;
  /**
   * Exact scores of `candidates` into `out` (aligned with them); items of R_u get -Infinity.
   * The cost is linear in the number of candidates, never in the catalogue.
   */
  scoreCandidates(candidates: ArrayLike<number>, out: Float32Array): void;
  /** The model's half of an explanation of `item` for this user. */
  explain(item: number, maxAnchors: number): ItemExplanation;
}

export interface AnchorCandidate {
  readonly item: number;
  /**
   * How close the purchase is to the explained item: sim_u(i, j) = -||h_ui - h_uj||^2 (paper,
   * kernel), or tau log K^k*(i, j) in the explained kind (mixture).
   */
  readonly similarity: number;
}

export interface ItemExplanation {
  /** The attribute the explanation rests on, k* (an index into the model's kinds). */
  readonly kind: number;
  /** a~^k_{u,i} per kind, in model order, summing to 1. */
  readonly attention: Float64Array;
  /** Purchases the explanation may rest on, best first (the anchor j* is the first one the graph can show). */
  readonly anchors: readonly AnchorCandidate[];
  /**
   * Whether the graph should move anchors adjacent to the item in G_k* to the front (the paper's
   * rule, 3.4), or keep the family's order because the first anchor is the faithful one (the
   * largest term of the score).
   */
  readonly adjacentFirst: boolean;
}

export interface ScoringFamily {
  readonly scoring: ScoringMode;
  /** The eq. 14 aggregate this family ranks audiences and cold-start items with by default. */
  readonly coldAggregate: ColdAggregate;
  /** Every eq. 14 aggregate that is meaningful for this family (reported side by side in evaluation). */
  readonly coldAggregates: readonly ColdAggregate[];
  /**
   * Whether items nobody bought in training keep their trained vectors (true), or are better
   * served by codes encoded from their attribute links alone (false).
   */
  readonly keepsUnboughtItemVectors: boolean;
  /** The bias of an item added after training (the neutral value of this family's biases). */
  newItemBias(emb: EranEmbeddings): number;
  /** z for a user the model never learned, from their purchases. */
  newUser(emb: EranEmbeddings, items: Int32Array): Float32Array;
  /**
   * Prepares a user. `history` holds item indexes (duplicates allowed); `times` (aligned with it)
   * order the purchases for recency: larger is later, NaN unknown (oldest).
   */
  user(emb: EranEmbeddings, z: Float32Array, history: ArrayLike<number>, times?: ArrayLike<number>): UserScorer;
}

/** Sorted unique item indexes of a history, checked against the embeddings. */
export function uniqueHistory(emb: EranEmbeddings, history: ArrayLike<number>): Int32Array {
  const items = Int32Array.from(new Set(Array.from(history))).sort();
  for (const j of items) {
    if (!(Number.isInteger(j) && j >= 0 && j < emb.numItems)) throw new Error(`history: expected item indexes in [0, ${emb.numItems}), got ${j}`);
  }
  return items;
}

/**
 * The distinct items of a history, most recent first: by `times` (NaN = oldest; ties: the later
 * position is the later purchase), or by position when no times are given.
 */
export function recentFirst(history: ArrayLike<number>, times?: ArrayLike<number>): Int32Array {
  const order = Array.from({ length: history.length }, (_, p) => p);
  if (times !== undefined) {
    if (times.length !== history.length) throw new Error(`times: expected ${history.length} values, got ${times.length}`);
    const key = (p: number): number => (Number.isFinite(times[p]) ? times[p]! : -Infinity);
    order.sort((a, b) => key(b) - key(a) || b - a);
  } else {
    order.reverse();
  }
  const seen = new Set<number>();
  const out: number[] = [];
  for (const p of order) {
    const j = history[p]!;
    if (!seen.has(j)) {
      seen.add(j);
      out.push(j);
    }
  }
  return Int32Array.from(out);
}
