/**
 * The inner loop of kernel scoring: for C candidate vectors X (row-major C x d) and a user's R
 * history vectors H (R x d, squared norms given), per candidate
 *   sum_p w_p exp(-max(0, ||x||^2 + ||h_p||^2 - 2 x . h_p) / tau).
 * That is C x R x d multiply-adds and C x R exponentials: the whole cost of a request for a
 * heavy user. Plain TypeScript runs the products one multiply-add at a time; the tfjs wasm backend
 * runs them as one SIMD matrix product, several times faster once C x R is in the tens of
 * thousands, while its per-call overhead loses on small ones. So: the backend when one is
 * initialised (wasm or native) and the problem is large, plain TypeScript otherwise. Both compute
 * the same sums (float32 products in the backend, float64 here).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Candidate x history pairs from which the backend is used (measured crossover, with margin). */
export const DENSE_PAIRS_THRESHOLD = 20_000;

export interface KernelSumsInput {
  /** Candidate vectors, row-major count x d. */
  readonly x: Float64Array;
  readonly count: number;
  /** History vectors, row-major r x d. */
  readonly h: Float64Array;
  readonly hNorms: Float64Array;
  readonly weights: ArrayLike<number>;
  readonly r: number;
  readonly d: number;
  readonly tau: number;
}

/** The sums into `out` (length count); `densePairs` overrides the threshold (tests). */
export function kernelSums(input: KernelSumsInput, out: Float64Array, densePairs = DENSE_PAIRS_THRESHOLD): void {
  if (input.count * input.r >= densePairs && input.count > 0 && input.r > 0 && denseBackend()) denseSums(input, out);
  else plainSums(input, out);
}

function plainSums({ x, count, h, hNorms, weights, r, d, tau }: KernelSumsInput, out: Float64Array): void {
  const invTau = 1 / tau;
  for (let c = 0, xo = 0; c < count; c++, xo += d) {
    let nx = 0;
    for (let t = 0; t < d; t++) nx += x[xo + t]! * x[xo + t]!;
    let sum = 0;
    for (let p = 0, ho = 0; p < r; p++, ho += d) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += x[xo + t]! * h[ho + t]!;
      const dist = nx + hNorms[p]! - 2 * dot;
      sum += weights[p]! * Math.exp(-(dist > 0 ? dist : 0) * invTau);
    }
    out[c] = sum;
  }
}

function denseSums({ x, count, h, hNorms, weights, r, d, tau }: KernelSumsInput, out: Float64Array): void {
  // H transposed here: wasm's matMul with transposeB runs far below its plain product.
  const ht = new Float32Array(d * r);
  for (let p = 0; p < r; p++) for (let t = 0; t < d; t++) ht[t * r + p] = h[p * d + t]!;
  const sums = tf.tidy(() => {
    const xs = tf.tensor2d(Float32Array.from(x.subarray(0, count * d)), [count, d]);
    const dot = tf.matMul(xs, tf.tensor2d(ht, [d, r]));
    const nx = tf.sum(tf.square(xs), 1, true);
    const dist = tf.relu(tf.sub(tf.add(nx, tf.tensor2d(Float32Array.from(hNorms.subarray(0, r)), [1, r])), tf.mul(dot, 2)));
    const kernel = tf.exp(tf.mul(dist, -1 / tau));
    return tf.matMul(kernel, tf.tensor2d(Float32Array.from({ length: r }, (_, p) => weights[p]!), [r, 1]));
  });
  // Read outside tidy: tidy walks a returned typed array element by element.
  const values = sums.dataSync();
  sums.dispose();
  for (let c = 0; c < count; c++) out[c] = values[c]!;
}

/** Whether a fast tfjs backend is initialised (never initialises one: that is backend.ts's job). */
function denseBackend(): boolean {
  const engine = tf.engine();
  // Reading tf.getBackend() would initialise one if none is; only use a backend already chosen.
  const name = engine.backendName as string | null | undefined;
  return name === 'wasm' || name === 'tensorflow';
}
