/**
 * User embeddings for users the model has not seen (or whose history changed a lot).
 *
 * Fallback chosen: start from the mean learned embedding (the population's attention prior) and,
 * when the user has at least two purchases, fit z by a few Adam steps on the model's own ranking
 * loss (eq. 11, BPR form) over triplets drawn from the history, with the item codes frozen and an
 * L2 pull towards the prior. Why: attention is the part of eRAN that is personal; the mean
 * embedding alone would give every new user the same attribute preferences, whereas the codes of
 * a few purchases already show which attribute network makes them close. It costs
 * O(steps * |R_u| * K * d), about a millisecond for 50 purchases, and is deterministic (seeded).
 */
import type { EranEmbeddings } from './embeddings';
import { personalizeInto } from './personalize';
import { Rng } from './rng';
import { contains } from './sampler';

export interface FoldInOptions {
  /** Adam steps (default 40; 0 returns the prior). */
  readonly steps?: number;
  readonly learningRate?: number;
  /** Weight of ||z - prior||^2 (default 0.01). */
  readonly l2?: number;
  readonly seed?: number;
}

/** Mean of the learned user embeddings. */
export function meanUserEmbedding(emb: EranEmbeddings): Float32Array {
  const d = emb.dim;
  const mean = new Float64Array(d);
  for (let u = 0; u < emb.numUsers; u++) for (let t = 0; t < d; t++) mean[t] += emb.users[u * d + t];
  return Float32Array.from(mean, (v) => v / Math.max(1, emb.numUsers));
}

/** z for a user known only by their purchases (item indexes). */
export function foldInUser(emb: EranEmbeddings, history: ArrayLike<number>, options: FoldInOptions = {}): Float32Array {
  const prior = meanUserEmbedding(emb);
  // The mixture model's z only steers the attention between kernels; the history itself carries
  // the user (every purchase is a kernel key), so a new user starts from the mean attention.
  if (emb.scoring === 'mixture') return prior;
  const steps = options.steps ?? 40;
  const items = Int32Array.from(new Set(Array.from(history))).sort();
  if (steps <= 0 || items.length < 2 || items.length >= emb.numItems) return prior;
  const lr = options.learningRate ?? 0.05;
  const l2 = options.l2 ?? 0.01;
  const rng = new Rng(options.seed ?? 1);
  const d = emb.dim;
  const kinds = emb.kinds.length;
  const z = Float64Array.from(prior);
  const m = new Float64Array(d);
  const v = new Float64Array(d);
  const grad = new Float64Array(d);
  const hi = new Float64Array(d);
  const hj = new Float64Array(d);
  const hn = new Float64Array(d);
  const ai = new Float64Array(kinds);
  const aj = new Float64Array(kinds);
  const an = new Float64Array(kinds);
  const diffPos = new Float64Array(d);
  const diffNeg = new Float64Array(d);

  for (let step = 1; step <= steps; step++) {
    grad.fill(0);
    for (let p = 0; p < items.length; p++) {
      const i = items[p];
      let q = rng.int(items.length - 1);
      if (q >= p) q++;
      const j = items[q];
      let n = rng.int(emb.numItems);
      for (let tries = 0; contains(items, n) && tries < 64; tries++) n = rng.int(emb.numItems);
      if (contains(items, n)) continue;
      personalizeInto(emb, z, i, hi, ai);
      personalizeInto(emb, z, j, hj, aj);
      personalizeInto(emb, z, n, hn, an);
      let dij = 0;
      let din = 0;
      for (let t = 0; t < d; t++) {
        diffPos[t] = hi[t] - hj[t];
        diffNeg[t] = hi[t] - hn[t];
        dij += diffPos[t] * diffPos[t];
        din += diffNeg[t] * diffNeg[t];
      }
      // d softplus(d_ij - d_in) / dz = sigmoid(m) * (grad d_ij - grad d_in), and
      // grad_z (h_x . v) = sum_k a_k (h^k_x . v) (h^k_x - h_x).
      const s = 1 / (1 + Math.exp(-(dij - din)));
      addJacobianT(emb, i, ai, hi, diffPos, 2 * s, grad);
      addJacobianT(emb, j, aj, hj, diffPos, -2 * s, grad);
      addJacobianT(emb, i, ai, hi, diffNeg, -2 * s, grad);
      addJacobianT(emb, n, an, hn, diffNeg, 2 * s, grad);
    }
    for (let t = 0; t < d; t++) {
      const g = grad[t] / items.length + 2 * l2 * (z[t] - prior[t]);
      m[t] = 0.9 * m[t] + 0.1 * g;
      v[t] = 0.999 * v[t] + 0.001 * g * g;
      const mHat = m[t] / (1 - Math.pow(0.9, step));
      const vHat = v[t] / (1 - Math.pow(0.999, step));
      z[t] -= (lr * mHat) / (Math.sqrt(vHat) + 1e-8);
    }
  }
  return Float32Array.from(z);
}

/** grad += scale * J_x^T vec, where J_x = d h_{u,x} / d z. */
function addJacobianT(emb: EranEmbeddings, item: number, attention: Float64Array, h: Float64Array, vec: Float64Array, scale: number, grad: Float64Array): void {
  const d = emb.dim;
  // h may include the free item vector e_x (itemEmbedding), which does not depend on z: the
  // Jacobian involves the attention mixture h - e_x only.
  const e = emb.itemEmbedding ?? null;
  for (let k = 0; k < emb.codes.length; k++) {
    const code = emb.codes[k];
    const offset = item * d;
    let dot = 0;
    for (let t = 0; t < d; t++) dot += code[offset + t] * vec[t];
    const w = scale * attention[k] * dot;
    for (let t = 0; t < d; t++) grad[t] += w * (code[offset + t] - (e === null ? h[t] : h[t] - e[offset + t]));
  }
}
