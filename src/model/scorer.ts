/**
 * Scoring over frozen embeddings, in plain TypeScript (no tensors: one user costs O(N K d)).
 *
 * eq. 13: r_{u,i} = sum_{j in R_u \ {i}} -||h_{u,i} - h_{u,j}||^2. Expanding the square with
 * S = sum_j h_{u,j} and Q = sum_j ||h_{u,j}||^2 gives, for a candidate i outside R_u,
 *   r_{u,i} = -(|R_u| ||h_{u,i}||^2 - 2 h_{u,i} . S + Q),
 * so all N items are scored without a pairwise loop. R_u is passed at call time: a purchase made a
 * second ago counts without retraining.
 *
 * eq. 14 (cold-start item x): r_{u,x} = min_{j in R_u} -||h_{u,x} - h_{u,j}||^2 as printed (the
 * least similar purchase), with `max` (the measured best, default) and `mean` variants.
 */
import type { EranEmbeddings } from './embeddings';
import { historyVectors, isMixture, kindVector, mixtureAttention, mixtureBreakdown, mixtureScoresAll, mixtureSimilarity } from './mixture-scoring';
import { recencyWeights } from './recency';
import { FoldInOptions, foldInUser } from './fold-in';
import { ItemCodes, addItemEmbedding, checkItem, isKernel, kernelTau, personalizeInto, squaredDistance } from './personalize';

/** A learned user index, an explicit z (e.g. from foldInUser), or null for a new user (fold-in from history). */
export type UserRef = number | Float32Array | null;

/** 'kernel': tau log sum_j exp(sim / tau), the kernel scoring rule (default for kernel embeddings). */
export type ColdAggregate = 'min' | 'max' | 'mean' | 'kernel';

/** The aggregate used when none is given: 'kernel' for kernel embeddings, else DEFAULT_COLD_AGGREGATE. */
export function defaultAggregate(emb: EranEmbeddings): ColdAggregate {
  return isKernel(emb) || isMixture(emb) ? 'kernel' : DEFAULT_COLD_AGGREGATE;
}

/**
 * Default aggregate of eq. 14, chosen by measurement (DESIGN 2.8). The paper prints `min` (the
 * least similar purchase). Cold-start protocol on ml100k-cast (40 items held out with all their
 * interactions, every user ranked, sampled reconstruction, lr 0.01, item bias; bench/train.bench.ts
 * --cold-items 40), Recall@20 / @100: min 0.007 / 0.056, mean 0.024 / 0.068, max 0.067 / 0.253
 * (random: 0.021 / 0.107). `min` and `mean` rank below random; `max`, the nearest purchase, does not.
 */
export const DEFAULT_COLD_AGGREGATE: ColdAggregate = 'max';

export interface ScoredItem {
  readonly item: number;
  readonly score: number;
}

export interface ScoredUser {
  readonly user: number;
  readonly score: number;
}

export interface ScoreOptions {
  /** Items never to return, besides the history itself. */
  readonly exclude?: Iterable<number>;
  /** Used when `user` is null. */
  readonly foldIn?: FoldInOptions;
  /**
   * When each history item was bought (unix seconds, aligned with `history`; NaN unknown). Used by
   * models with recency weights (EranEmbeddings.recencyHalfLife); ignored otherwise.
   */
  readonly times?: ArrayLike<number>;
  /**
   * Score only these items (the others get -Infinity): a speed option for mixture models, whose
   * rule costs O(K |R_u| d) per item; the other rules score every item anyway.
   */
  readonly only?: ArrayLike<number>;
}

/**
 * The history deduplicated with one weight per item: the recency weight of its latest purchase
 * (recency.ts) when the model has a half-life and times are given, else 1.
 */
export function weightedHistory(emb: EranEmbeddings, history: ArrayLike<number>, times?: ArrayLike<number>): { items: Int32Array; weights: Float32Array } {
  const halfLife = emb.recencyHalfLife ?? 0;
  const raw = recencyWeights(halfLife > 0 ? times : undefined, history.length, halfLife);
  const best = new Map<number, number>();
  for (let p = 0; p < history.length; p++) {
    const j = history[p];
    if (!(Number.isInteger(j) && j >= 0 && j < emb.numItems)) throw new Error(`history: expected item indexes in [0, ${emb.numItems}), got ${j}`);
    best.set(j, Math.max(best.get(j) ?? 0, raw[p]));
  }
  const items = Int32Array.from(best.keys()).sort();
  return { items, weights: Float32Array.from(items, (j) => best.get(j)!) };
}

/** Resolves z_u: the learned row, the given vector, or a fold-in from the history for a new user. */
export function userVector(emb: EranEmbeddings, user: UserRef, history: ArrayLike<number>, foldIn?: FoldInOptions): Float32Array {
  if (user === null) return foldInUser(emb, history, foldIn);
  if (typeof user === 'number') {
    if (!Number.isInteger(user) || user < 0 || user >= emb.numUsers) {
      throw new Error(`user: expected a user index in [0, ${emb.numUsers}) or null for a new user, got ${user}`);
    }
    return emb.users.slice(user * emb.dim, (user + 1) * emb.dim);
  }
  if (user.length !== emb.dim) throw new Error(`user: expected an embedding of length ${emb.dim}, got ${user.length}`);
  return user;
}

/**
 * eq. 13 for every item. Items in the history or in `exclude` get -Infinity. With an empty
 * history every other item scores 0 (the model has nothing to compare with); with the item-bias
 * improvement the score is sum_j (sim_u(i, j) + b_i).
 */
export function scoreUser(emb: EranEmbeddings, user: UserRef, history: ArrayLike<number>, options: ScoreOptions = {}): Float32Array {
  if (isMixture(emb)) {
    const { items, weights } = weightedHistory(emb, history, options.times);
    const z = userVector(emb, user, items, options.foldIn);
    return maskScores(mixtureScoresAll(emb, z, items, weights, options.only), items, options);
  }
  const items = uniqueItems(emb, history);
  const z = userVector(emb, user, items, options.foldIn);
  if (isKernel(emb)) return maskScores(kernelScores(emb, z, items), items, options);
  const { dim: d, numItems } = emb;
  const kinds = emb.kinds.length;
  const h = new Float64Array(d);
  const att = new Float64Array(kinds);
  const sum = new Float64Array(d);
  let sumSq = 0;
  for (const j of items) {
    personalizeInto(emb, z, j, h, att);
    for (let t = 0; t < d; t++) {
      sum[t] += h[t];
      sumSq += h[t] * h[t];
    }
  }
  const r = items.length;
  const scores = new Float32Array(numItems);
  for (let i = 0; i < numItems; i++) {
    personalizeInto(emb, z, i, h, att);
    let norm = 0;
    let dot = 0;
    for (let t = 0; t < d; t++) {
      norm += h[t] * h[t];
      dot += h[t] * sum[t];
    }
    let score = -(r * norm - 2 * dot + sumSq);
    if (emb.itemBias) score += r * emb.itemBias[i];
    scores[i] = score;
  }
  return maskScores(scores, items, options);
}

function maskScores(scores: Float32Array, items: Int32Array, options: ScoreOptions): Float32Array {
  for (const j of items) scores[j] = -Infinity;
  for (const x of options.exclude ?? []) {
    if (Number.isInteger(x) && x >= 0 && x < scores.length) scores[x] = -Infinity;
  }
  return scores;
}

/**
 * Kernel scoring (improvement): s(u, x) = b_x + tau log sum_{j in R_u} exp(-||h_ux - h_uj||^2 / tau),
 * O(N |R_u| d). With an empty history every item scores b_x (0 without item bias).
 */
export function kernelScores(emb: EranEmbeddings, z: ArrayLike<number>, items: ArrayLike<number>): Float32Array {
  const { dim: d, numItems } = emb;
  const tau = kernelTau(emb);
  const r = items.length;
  const reps = new Float64Array(r * d);
  const h = new Float64Array(d);
  const att = new Float64Array(emb.kinds.length);
  for (let p = 0; p < r; p++) {
    personalizeInto(emb, z, items[p], h, att);
    reps.set(h, p * d);
  }
  const dist = new Float64Array(r);
  const scores = new Float32Array(numItems);
  for (let i = 0; i < numItems; i++) {
    let score = 0;
    if (r > 0) {
      personalizeInto(emb, z, i, h, att);
      let min = Infinity;
      for (let p = 0; p < r; p++) {
        let s = 0;
        const off = p * d;
        for (let t = 0; t < d; t++) {
          const diff = h[t] - reps[off + t];
          s += diff * diff;
        }
        dist[p] = s;
        if (s < min) min = s;
      }
      let sum = 0;
      for (let p = 0; p < r; p++) sum += Math.exp((min - dist[p]) / tau);
      score = tau * Math.log(sum) - min;
    }
    if (emb.itemBias) score += emb.itemBias[i];
    scores[i] = score;
  }
  return scores;
}

/** The k best items of scoreUser, best first (excluded items never appear). */
export function recommend(emb: EranEmbeddings, user: UserRef, history: ArrayLike<number>, k: number, options: ScoreOptions = {}): ScoredItem[] {
  return topK(scoreUser(emb, user, history, options), k).map(({ index, score }) => ({ item: index, score }));
}

/**
 * eq. 14 family for one user and one item given by its codes (usually a new item from
 * encodeNewItem): the min (as printed), max or mean over the history of -||h_{u,x} - h_{u,j}||^2.
 * An empty history gives -Infinity. `mean` equals eq. 13 divided by |R_u|.
 */
export function scoreColdItem(
  emb: EranEmbeddings,
  user: UserRef,
  history: ArrayLike<number>,
  item: ItemCodes,
  aggregate: ColdAggregate = defaultAggregate(emb),
  foldIn?: FoldInOptions,
): number {
  checkItem(emb, item);
  const items = uniqueItems(emb, history);
  if (items.length === 0) return -Infinity;
  const z = userVector(emb, user, items, foldIn);
  return aggregateSimilarity(emb, z, items, item, aggregate, new Float64Array(emb.dim), new Float64Array(emb.dim), new Float64Array(emb.kinds.length));
}

export interface AudienceOptions {
  readonly aggregate?: ColdAggregate;
  /** Skip users whose history already contains the item (existing items only; default true). */
  readonly excludeOwners?: boolean;
}

/**
 * The k users most likely to want an item (existing index or new item's codes): every learned user
 * is scored with the eq. 14 aggregate over their history, which, unlike the eq. 13 sum, does not
 * grow with |R_u| and so compares users fairly. Users with an empty history are skipped.
 */
export function audience(
  emb: EranEmbeddings,
  item: ItemCodes,
  k: number,
  userItems: readonly ArrayLike<number>[],
  options: AudienceOptions = {},
): ScoredUser[] {
  checkItem(emb, item);
  if (userItems.length !== emb.numUsers) {
    throw new Error(`audience: expected histories for ${emb.numUsers} users, got ${userItems.length}`);
  }
  const aggregate = options.aggregate ?? defaultAggregate(emb);
  const excludeOwners = options.excludeOwners ?? true;
  const d = emb.dim;
  const scores = new Float32Array(emb.numUsers).fill(-Infinity);
  const hx = new Float64Array(d);
  const hj = new Float64Array(d);
  const att = new Float64Array(emb.kinds.length);
  for (let u = 0; u < emb.numUsers; u++) {
    const history = userItems[u];
    if (history.length === 0) continue;
    if (excludeOwners && typeof item === 'number' && Array.prototype.includes.call(history, item)) continue;
    const z = emb.users.subarray(u * d, (u + 1) * d);
    scores[u] = aggregateSimilarity(emb, z, history, item, aggregate, hx, hj, att);
  }
  return topK(scores, k).map(({ index, score }) => ({ user: index, score }));
}

/**
 * Items most similar to `item` in kind-mixed code space: personalized (eq. 8 under z_u) when a user
 * is given, otherwise "plain": uniform attention, i.e. the mean of the K codes.
 */
export function similarItems(emb: EranEmbeddings, item: number, k: number, user?: number | Float32Array): ScoredItem[] {
  checkItem(emb, item);
  const { dim: d, numItems } = emb;
  const kinds = emb.kinds.length;
  const z = user === undefined ? null : userVector(emb, user, []);
  const reps = new Float64Array(numItems * d);
  const h = new Float64Array(d);
  const att = new Float64Array(kinds);
  for (let i = 0; i < numItems; i++) {
    if (z) {
      personalizeInto(emb, z, i, h, att);
    } else {
      h.fill(0);
      for (let kk = 0; kk < kinds; kk++) for (let t = 0; t < d; t++) h[t] += emb.codes[kk][i * d + t] / kinds;
      addItemEmbedding(emb, i, h);
    }
    reps.set(h, i * d);
  }
  const target = reps.subarray(item * d, (item + 1) * d);
  const scores = new Float32Array(numItems);
  for (let i = 0; i < numItems; i++) scores[i] = -squaredDistance(target, reps.subarray(i * d, (i + 1) * d), d);
  scores[item] = -Infinity;
  return topK(scores, k).map(({ index, score }) => ({ item: index, score }));
}

function aggregateSimilarity(
  emb: EranEmbeddings,
  z: ArrayLike<number>,
  history: ArrayLike<number>,
  item: ItemCodes,
  aggregate: ColdAggregate,
  hx: Float64Array,
  hj: Float64Array,
  att: Float64Array,
): number {
  const d = emb.dim;
  if (isMixture(emb)) return mixtureAggregate(emb, z, history, item, aggregate, att);
  personalizeInto(emb, z, item, hx, att);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  const sims: number[] = [];
  for (let p = 0; p < history.length; p++) {
    const j = history[p];
    if (j === item) continue;
    personalizeInto(emb, z, j, hj, att);
    const sim = -squaredDistance(hx, hj, d);
    if (sim < min) min = sim;
    if (sim > max) max = sim;
    sum += sim;
    count++;
    if (aggregate === 'kernel') sims.push(sim);
  }
  if (count === 0) return -Infinity;
  if (aggregate === 'kernel') {
    const tau = kernelTau(emb);
    let total = 0;
    for (const sim of sims) total += Math.exp((sim - max) / tau);
    return max + tau * Math.log(total);
  }
  return aggregate === 'min' ? min : aggregate === 'max' ? max : sum / count;
}

/**
 * eq. 14 family for the mixture model: 'kernel' is the model's own score without bias (unweighted
 * history: cold-start and audience compare users, whose purchase dates differ); min / max / mean
 * aggregate the pairwise mixed similarity tau log sum_k a~^k K^k(x, j).
 */
function mixtureAggregate(
  emb: EranEmbeddings,
  z: ArrayLike<number>,
  history: ArrayLike<number>,
  item: ItemCodes,
  aggregate: ColdAggregate,
  att: Float64Array,
): number {
  const others = Array.from(history).filter((j) => j !== item);
  if (others.length === 0) return -Infinity;
  if (aggregate === 'kernel') {
    const ones = new Float32Array(others.length).fill(1);
    return mixtureBreakdown(emb, z, others, ones, historyVectors(emb, others), item).score;
  }
  mixtureAttention(emb, z, item, att);
  const hx = emb.kinds.map((_, k) => {
    const v = new Float64Array(emb.dim);
    kindVector(emb, item, k, v);
    return v;
  });
  const scratch = new Float64Array(emb.dim);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const j of others) {
    const sim = mixtureSimilarity(emb, att, hx, j, scratch);
    min = Math.min(min, sim);
    max = Math.max(max, sim);
    sum += sim;
  }
  return aggregate === 'min' ? min : aggregate === 'max' ? max : sum / others.length;
}

/** Indexes of the k largest finite values, best first (ties: lower index first). */
export function topK(values: Float32Array, k: number): Array<{ index: number; score: number }> {
  if (!Number.isInteger(k) || k < 0) throw new Error(`k: expected a non-negative integer, got ${k}`);
  // A min-heap of the best k: O(N log k).
  const heapIdx = new Int32Array(k);
  const heapVal = new Float64Array(k);
  let size = 0;
  const worse = (a: number, b: number): boolean => heapVal[a] < heapVal[b] || (heapVal[a] === heapVal[b] && heapIdx[a] > heapIdx[b]);
  const swap = (a: number, b: number): void => {
    const ti = heapIdx[a];
    heapIdx[a] = heapIdx[b];
    heapIdx[b] = ti;
    const tv = heapVal[a];
    heapVal[a] = heapVal[b];
    heapVal[b] = tv;
  };
  const siftDown = (start: number): void => {
    let p = start;
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === p) return;
      swap(p, m);
      p = m;
    }
  };
  for (let i = 0; i < values.length && k > 0; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (size < k) {
      heapIdx[size] = i;
      heapVal[size] = v;
      let c = size++;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!worse(c, parent)) break;
        swap(c, parent);
        c = parent;
      }
    } else if (v > heapVal[0]) {
      heapIdx[0] = i;
      heapVal[0] = v;
      siftDown(0);
    }
  }
  const out: Array<{ index: number; score: number }> = [];
  for (let i = 0; i < size; i++) out.push({ index: heapIdx[i], score: heapVal[i] });
  return out.sort((a, b) => b.score - a.score || a.index - b.index);
}

function uniqueItems(emb: EranEmbeddings, history: ArrayLike<number>): Int32Array {
  const items = Int32Array.from(new Set(Array.from(history))).sort();
  for (const j of items) {
    if (!(j >= 0 && j < emb.numItems)) throw new Error(`history: expected item indexes in [0, ${emb.numItems}), got ${j}`);
  }
  return items;
}
