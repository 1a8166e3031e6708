/**
 * Serving side of `scoring: 'mixture'` (see mixture.ts for the model), over frozen embeddings:
 *   s(u, x) = b_x + tau log( sum_k a~^k_ux C^k_ux + eps ),  C^k_ux = sum_{j in R_u \ {x}} w_uj K^k(x, j),
 *   a~^k_ux = softmax_k(code^k_x . z_u),  K^k(x, j) = exp(-||h^k_x - h^k_j||^2 / tau),  h^k = code^k + e.
 * O(N K |R_u| d) per user. Every term is available, so the explanation is read off the score.
 */
import type { EranEmbeddings } from './embeddings';
import { MIXTURE_EPSILON } from './mixture';
import { codeOf, kernelTau, type ItemCodes } from './personalize';

export function isMixture(emb: EranEmbeddings): boolean {
  return emb.scoring === 'mixture';
}

/** h^k_x = code^k_x + e_x (new items: e = 0) into out. */
export function kindVector(emb: EranEmbeddings, item: ItemCodes, k: number, out: Float64Array): void {
  const d = emb.dim;
  const [code, offset] = codeOf(emb, item, k);
  for (let t = 0; t < d; t++) out[t] = code[offset + t];
  const e = emb.itemEmbedding;
  if (e != null && typeof item === 'number' && (item + 1) * d <= e.length) {
    for (let t = 0; t < d; t++) out[t] += e[item * d + t];
  }
}

/** a~^k_ux = softmax_k(code^k_x . z_u) into out (K values). */
export function mixtureAttention(emb: EranEmbeddings, z: ArrayLike<number>, item: ItemCodes, out: Float64Array): void {
  const d = emb.dim;
  const kinds = emb.kinds.length;
  let max = -Infinity;
  for (let k = 0; k < kinds; k++) {
    const [code, offset] = codeOf(emb, item, k);
    let a = 0;
    for (let t = 0; t < d; t++) a += code[offset + t] * z[t];
    out[k] = a;
    if (a > max) max = a;
  }
  let total = 0;
  for (let k = 0; k < kinds; k++) {
    out[k] = Math.exp(out[k] - max);
    total += out[k];
  }
  for (let k = 0; k < kinds; k++) out[k] /= total;
}

/** The history's kernel vectors, per kind a row-major |R_u| x d array (rows of the cached tables). */
export function historyVectors(emb: EranEmbeddings, history: ArrayLike<number>): Float64Array[] {
  const d = emb.dim;
  return kindTables(emb).vectors.map((table) => {
    const out = new Float64Array(history.length * d);
    for (let p = 0; p < history.length; p++) out.set(table.subarray(history[p] * d, history[p] * d + d), p * d);
    return out;
  });
}

export interface MixtureBreakdown {
  /** a~^k_ux per kind. */
  readonly attention: Float64Array;
  /** C^k_ux per kind: sum_j w_j K^k(x, j). */
  readonly perKind: Float64Array;
  /** Per kind, per history position: w_j K^k(x, j) (0 for j = x). */
  readonly terms: Float64Array[];
  /** The score without the bias: tau log(sum_k a_k C_k + eps). */
  readonly score: number;
}

/** Every term of one item's score. `vectors` from historyVectors(emb, history). */
export function mixtureBreakdown(
  emb: EranEmbeddings,
  z: ArrayLike<number>,
  history: ArrayLike<number>,
  weights: ArrayLike<number>,
  vectors: readonly Float64Array[],
  item: ItemCodes,
): MixtureBreakdown {
  const d = emb.dim;
  const kinds = emb.kinds.length;
  const tau = kernelTau(emb);
  const attention = new Float64Array(kinds);
  mixtureAttention(emb, z, item, attention);
  const hx = new Float64Array(d);
  const perKind = new Float64Array(kinds);
  const terms: Float64Array[] = [];
  let mix = 0;
  for (let k = 0; k < kinds; k++) {
    kindVector(emb, item, k, hx);
    const hv = vectors[k];
    const row = new Float64Array(history.length);
    let c = 0;
    for (let p = 0; p < history.length; p++) {
      if (history[p] === item) continue;
      let dist = 0;
      const off = p * d;
      for (let t = 0; t < d; t++) {
        const diff = hx[t] - hv[off + t];
        dist += diff * diff;
      }
      row[p] = weights[p] * Math.exp(-dist / tau);
      c += row[p];
    }
    terms.push(row);
    perKind[k] = c;
    mix += attention[k] * c;
  }
  return { attention, perKind, terms, score: tau * Math.log(mix + MIXTURE_EPSILON) };
}

/**
 * Per kind, every item's kernel vector h^k = code^k + e (row-major N x d) and its squared norm,
 * built once per embeddings object: embeddings are treated as immutable (the engine builds a new
 * object when it appends items).
 */
interface KindTables {
  readonly vectors: Float64Array[];
  readonly norms: Float64Array[];
}

const tablesCache = new WeakMap<EranEmbeddings, KindTables>();

function kindTables(emb: EranEmbeddings): KindTables {
  const cached = tablesCache.get(emb);
  if (cached) return cached;
  const { dim: d, numItems } = emb;
  const v = new Float64Array(d);
  const vectors: Float64Array[] = [];
  const norms: Float64Array[] = [];
  emb.kinds.forEach((_, k) => {
    const table = new Float64Array(numItems * d);
    const norm = new Float64Array(numItems);
    for (let x = 0; x < numItems; x++) {
      kindVector(emb, x, k, v);
      table.set(v, x * d);
      let sq = 0;
      for (let t = 0; t < d; t++) sq += v[t] * v[t];
      norm[x] = sq;
    }
    vectors.push(table);
    norms.push(norm);
  });
  const tables = { vectors, norms };
  tablesCache.set(emb, tables);
  return tables;
}

/**
 * s(u, x) for every item, or for `only` these (the rest -Infinity); bias included. Distances by
 * ||a||^2 + ||b||^2 - 2 a.b over cached per-kind tables: one multiply-add per dimension.
 */
export function mixtureScoresAll(
  emb: EranEmbeddings,
  z: ArrayLike<number>,
  history: ArrayLike<number>,
  weights: ArrayLike<number>,
  only?: ArrayLike<number>,
): Float32Array {
  const { dim: d, numItems } = emb;
  const kinds = emb.kinds.length;
  const tau = kernelTau(emb);
  const { vectors, norms } = kindTables(emb);
  const r = history.length;
  const hist = historyVectors(emb, history);
  const histNorms = norms.map((norm) => Float64Array.from({ length: r }, (_, p) => norm[history[p]]));
  const attention = new Float64Array(kinds);
  const scores = new Float32Array(numItems);
  if (only) scores.fill(-Infinity);
  const count = only ? only.length : numItems;
  const invTau = 1 / tau;
  for (let q = 0; q < count; q++) {
    const x = only ? only[q] : q;
    if (!(Number.isInteger(x) && x >= 0 && x < numItems)) throw new Error(`only: expected item indexes in [0, ${numItems}), got ${x}`);
    mixtureAttention(emb, z, x, attention);
    let mix = 0;
    for (let k = 0; k < kinds; k++) {
      const table = vectors[k];
      const hv = hist[k];
      const hn = histNorms[k];
      const nx = norms[k][x];
      const xo = x * d;
      let c = 0;
      for (let p = 0; p < r; p++) {
        if (history[p] === x) continue;
        let dot = 0;
        const off = p * d;
        for (let t = 0; t < d; t++) dot += table[xo + t] * hv[off + t];
        const dist = Math.max(0, nx + hn[p] - 2 * dot);
        c += weights[p] * Math.exp(-dist * invTau);
      }
      mix += attention[k] * c;
    }
    scores[x] = tau * Math.log(mix + MIXTURE_EPSILON) + (emb.itemBias ? emb.itemBias[x] : 0);
  }
  return scores;
}

/** The pairwise mixed similarity used by the eq. 14 aggregates: tau log sum_k a~^k_ux K^k(x, j). */
export function mixtureSimilarity(emb: EranEmbeddings, attention: ArrayLike<number>, hx: readonly Float64Array[], item: number, scratch: Float64Array): number {
  const d = emb.dim;
  const tau = kernelTau(emb);
  let mix = 0;
  for (let k = 0; k < emb.kinds.length; k++) {
    kindVector(emb, item, k, scratch);
    let dist = 0;
    for (let t = 0; t < d; t++) {
      const diff = hx[k][t] - scratch[t];
      dist += diff * diff;
    }
    mix += attention[k] * Math.exp(-dist / tau);
  }
  return tau * Math.log(mix + MIXTURE_EPSILON);
}
