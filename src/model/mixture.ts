/**
 * Mixture scoring (improvement, `scoring: 'mixture'`): the user's attention mixes one similarity
 * kernel per attribute network instead of mixing the codes.
 *
 *   h^k_i     = code^k_i (+ e_i with the itemEmbedding improvement)           per kind, d
 *   a~^k_ux   = softmax_k(h^k_x . z_u)                                         eq. 5-6, as printed
 *   K^k(x, j) = exp(-||h^k_x - h^k_j||^2 / tau)                               eq. 8 per kind, as a kernel
 *   s(u, x)   = b_x + tau log sum_k a~^k_ux sum_{j in R_u \ {x}} w_uj K^k(x, j)
 *
 * w_uj weighs purchase j (1, or a recency weight: see recency.ts). The score decomposes exactly
 * into (k, j) terms a~^k_ux w_uj K^k(x, j): the explanation's k* is the kind with the largest
 * share, j* the largest term of k*. Nothing else moves the score (bar the bias b_x), so removing
 * j* from R_u lowers it by construction.
 *
 * Training scores every item for a batch of users at once, a few dense products that run at full
 * speed on wasm: with W (B x N) the users' weighted purchases, Z^k = W K^k, and the multinomial
 * likelihood of every training positive under softmax_x s(u, x) (the loss of Mult-VAE; each
 * positive x is scored from R_u \ {x} because K^k(x, x) = 1 is subtracted). Gradients are written
 * out by hand (`mixtureLossAndGrads`) rather than taped: the tape would keep a dozen N x N
 * intermediates per kind alive, and wasm lacks several of the kernels' gradients anyway.
 * Memory: O(N^2) per kind and step, which bounds the trainer to catalogues of ~10k items on the
 * 32-bit wasm heap (`assertMixtureFits`).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Added inside the log: an item with no similar purchase scores about b_x + tau log 1e-6. */
export const MIXTURE_EPSILON = 1e-6;

/** Largest catalogue the dense trainer accepts: ~6 N x N float32 temporaries per kind must fit the wasm heap. */
export const MIXTURE_MAX_ITEMS = 12_000;

export function assertMixtureFits(numItems: number): void {
  if (numItems > MIXTURE_MAX_ITEMS) {
    throw new Error(
      `mixture training: ${numItems} items exceed the dense trainer's limit of ${MIXTURE_MAX_ITEMS} ` +
        `(it holds N x N kernels per attribute kind); use scoring 'kernel' with rankLoss 'user' for larger catalogues`,
    );
  }
}

export interface MixtureInputs {
  /** Per kind h^k for every item, N x d. */
  readonly h: readonly tf.Tensor2D[];
  /**
   * Per kind the vectors the attention reads (eq. 5: the codes h^k, without e_i), N x d; absent:
   * `h` itself.
   */
  readonly keys?: readonly tf.Tensor2D[];
  /** z_u of the batch users, B x d. */
  readonly z: tf.Tensor2D;
  /** b_x, N; null without item bias. */
  readonly bias: tf.Tensor1D | null;
  /** Weighted purchases of the batch users, B x N (0 outside R_u). */
  readonly history: tf.Tensor2D;
  readonly tau: number;
}

interface Forward {
  readonly kernels: tf.Tensor2D[];
  readonly perKind: tf.Tensor2D[];
  readonly attention: tf.Tensor2D[];
  readonly mix: tf.Tensor2D;
  readonly scores: tf.Tensor2D;
}

function forward(inputs: MixtureInputs): Forward {
  const { h, z, bias, history: w, tau } = inputs;
  const keys = inputs.keys ?? h;
  const n = h[0].shape[0];
  const kernels: tf.Tensor2D[] = [];
  const perKind: tf.Tensor2D[] = [];
  const logits: tf.Tensor2D[] = [];
  for (const [k, hk] of h.entries()) {
    const sq = tf.sum(tf.square(hk), 1);
    const gram = tf.matMul(hk, tf.transpose(hk));
    const dist = tf.sub(tf.add(tf.reshape(sq, [n, 1]), tf.reshape(sq, [1, n])), tf.mul(gram, 2));
    // Rounding can leave tiny negative distances; the diagonal must be exactly 0 (K = 1 there).
    const kernel = tf.exp(tf.mul(tf.relu(dist), -1 / tau)) as tf.Tensor2D;
    kernels.push(kernel);
    perKind.push(tf.matMul(w, kernel));
    logits.push(tf.matMul(z, tf.transpose(keys[k])));
  }
  const attention = softmaxAcross(logits);
  let mix: tf.Tensor2D = tf.zerosLike(w);
  perKind.forEach((zk, k) => {
    // sum_j w_j K(x, j) over j != x: the diagonal term K(x, x) w_x = w_x is removed.
    mix = tf.add(mix, tf.mul(attention[k], tf.sub(zk, w)));
  });
  mix = tf.add(tf.relu(mix), MIXTURE_EPSILON);
  let scores = tf.mul(tf.log(mix), tau) as tf.Tensor2D;
  if (bias) scores = tf.add(scores, bias);
  return { kernels, perKind, attention, mix, scores };
}

/** softmax over a list of same-shaped tensors (the kinds), elementwise. */
function softmaxAcross(logits: readonly tf.Tensor2D[]): tf.Tensor2D[] {
  let max = logits[0];
  for (const l of logits.slice(1)) max = tf.maximum(max, l);
  const exps = logits.map((l) => tf.exp(tf.sub(l, max)) as tf.Tensor2D);
  let total = exps[0];
  for (const e of exps.slice(1)) total = tf.add(total, e);
  return exps.map((e) => tf.div(e, total) as tf.Tensor2D);
}

/** s(u, x) for the batch users and every item, B x N (call inside tf.tidy). */
export function mixtureScores(inputs: MixtureInputs): tf.Tensor2D {
  return forward(inputs).scores;
}

export interface MixtureGradients {
  /** Mean over the batch users of -sum_{x in targets} log softmax(s_u)_x. */
  readonly loss: tf.Scalar;
  /** d loss / d h^k through the kernels, N x d per kind. */
  readonly h: tf.Tensor2D[];
  /** d loss / d keys^k through the attention, N x d per kind (add to `h` when keys are absent). */
  readonly keys: tf.Tensor2D[];
  /** d loss / d z, B x d. */
  readonly z: tf.Tensor2D;
  /** d loss / d b, N; null without bias. */
  readonly bias: tf.Tensor1D | null;
}

/**
 * The multinomial loss and its gradients, written out (call inside tf.tidy).
 * targets: B x N, 1 on the positives to predict (each from the others through the mixture).
 */
export function mixtureLossAndGrads(inputs: MixtureInputs, targets: tf.Tensor2D): MixtureGradients {
  const { h, z, bias, history: w, tau } = inputs;
  const b = w.shape[0];
  const n = h[0].shape[0];
  const f = forward(inputs);
  const logp = tf.logSoftmax(f.scores);
  const perUser = tf.sum(targets, 1, true);
  const loss = tf.div(tf.neg(tf.sum(tf.mul(targets, logp))), b) as tf.Scalar;
  // d loss / d s = (softmax(s) |targets_u| - targets) / B
  const dScores = tf.div(tf.sub(tf.mul(tf.exp(logp), perUser), targets), b) as tf.Tensor2D;
  const dBias = bias ? (tf.sum(dScores, 0) as tf.Tensor1D) : null;
  // s = tau log(mix): d mix = d s tau / mix (relu's zero-gradient region is where mix was clipped)
  const dMix = tf.div(tf.mul(dScores, tau), f.mix) as tf.Tensor2D;
  const dAttention = f.perKind.map((zk) => tf.mul(dMix, tf.sub(zk, w)) as tf.Tensor2D);
  // softmax across kinds: d logit_k = a_k (d a_k - sum_k' a_k' d a_k')
  let weighted: tf.Tensor2D = tf.zerosLike(dMix);
  f.attention.forEach((a, k) => {
    weighted = tf.add(weighted, tf.mul(a, dAttention[k]));
  });
  const wT = tf.transpose(w);
  const keys = inputs.keys ?? h;
  let dz: tf.Tensor2D = tf.zeros([b, z.shape[1]]);
  const dKeys: tf.Tensor2D[] = [];
  const dh = h.map((hk, k) => {
    const dLogit = tf.mul(f.attention[k], tf.sub(dAttention[k], weighted)) as tf.Tensor2D;
    dz = tf.add(dz, tf.matMul(dLogit, keys[k]));
    // logits = z keys^T: d keys = d logit^T z
    dKeys.push(tf.matMul(tf.transpose(dLogit), z) as tf.Tensor2D);
    let g: tf.Tensor2D = tf.zerosLike(hk);
    // perKind = W K: d K = W^T (a_k (.) d mix); K = exp(-D / tau): d D = -d K (.) K / tau
    const dKernel = tf.matMul(wT, tf.mul(f.attention[k], dMix));
    const dDist = tf.mul(tf.mul(dKernel, f.kernels[k]), -1 / tau) as tf.Tensor2D;
    // D = sq_i + sq_j - 2 h h^T: d h = 2 h (.) (rowsum + colsum)(dD) - 2 (dD + dD^T) h
    const sums = tf.add(tf.sum(dDist, 1), tf.sum(dDist, 0));
    g = tf.add(g, tf.mul(tf.mul(hk, tf.reshape(sums, [n, 1])), 2));
    g = tf.sub(g, tf.mul(tf.matMul(tf.add(dDist, tf.transpose(dDist)), hk), 2));
    return g;
  });
  return { loss, h: dh, keys: dKeys, z: dz, bias: dBias };
}

