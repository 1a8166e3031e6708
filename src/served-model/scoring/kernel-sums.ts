/**
 * The inner loop of kernel scoring: per attribute kind k, for C candidate vectors X_k (row-major
 * C x d) and a user's R history vectors H_k (R x d, squared norms given), per candidate
 *   sum_p w_p exp(-max(0, ||x||^2 + ||h_p||^2 - 2 x . h_p) / tau).
 * That is K x C x R x d multiply-adds and K x C x R exponentials: the whole cost of a request for
 * a heavy user. Plain TypeScript runs the products one multiply-add at a time; the tfjs wasm backend
 * runs them as one SIMD matrix product, several times faster once C x R is in the tens of
 * thousands, while its per-call overhead loses on small ones. So: the backend when one is
 * initialised (wasm or native) and the problem is large, plain TypeScript otherwise. Both compute
 * the same sums (float32 products in the backend, float64 here).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Candidate x history pairs from which the backend is used (measured crossover, with margin). */
export const DENSE_PAIRS_THRESHOLD = 20_000;

export interface KernelSumsInput {
  /** Per kind: candidate vectors, row-major count x d. */
  readonly x: readonly Float64Array[];
  readonly count: number;
  /** Per kind: history vectors, row-major r x d, and their squared norms. */
  readonly h: readonly Float64Array[];
  readonly hNorms: readonly Float64Array[];
  readonly weights: ArrayLike<number>;
  readonly r: number;
  readonly d: number;
  readonly tau: number;
}

/** The sums into `out[k]` (length count each); `densePairs` overrides the threshold (tests). */
export function kernelSums(input: KernelSumsInput, out: readonly Float64Array[], densePairs = DENSE_PAIRS_THRESHOLD): void {
  if (input.x.length * input.count * input.r >= densePairs && input.count > 0 && input.r > 0 && denseBackend()) denseSums(input, out);
  else input.x.forEach((_, k) => plainSums(input, k, out[k]!));
}

function plainSums(input: KernelSumsInput, k: number, out: Float64Array): void {
  const { count, weights, r, d, tau } = input;
  const x = input.x[k]!;
  const h = input.h[k]!;
  const hNorms = input.hNorms[k]!;
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

/** One plain product per kind (wasm runs them faster than one batched product), the rest batched. */
function denseSums({ x, count, h, hNorms, weights, r, d, tau }: KernelSumsInput, out: readonly Float64Array[]): void {
  const kinds = x.length;
  // H transposed here: wasm's matMul with transposeB runs far below its plain product.
  const ht = h.map((hk) => {
    const t = new Float32Array(d * r);
    for (let p = 0; p < r; p++) for (let q = 0; q < d; q++) t[q * r + p] = hk[p * d + q]!;
    return t;
  });
  const hn = new Float32Array(kinds * r);
  hNorms.forEach((nk, k) => hn.set(nk.subarray(0, r), k * r));
  const w = Float32Array.from({ length: r }, (_, p) => weights[p]!);
  const sums = tf.tidy(() => {
    const xs = x.map((xk) => tf.tensor2d(Float32Array.from(xk.subarray(0, count * d)), [count, d]));
    const dot = tf.stack(xs.map((xk, k) => tf.matMul(xk, tf.tensor2d(ht[k]!, [d, r])))) as tf.Tensor3D;
    const nx = tf.stack(xs.map((xk) => tf.sum(tf.square(xk), 1, true))) as tf.Tensor3D;
    const dist = tf.relu(tf.sub(tf.add(nx, tf.tensor3d(hn, [kinds, 1, r])), tf.mul(dot, 2)));
    const kernel = tf.exp(tf.mul(dist, -1 / tau));
    return tf.sum(tf.mul(kernel, tf.tensor3d(w, [1, 1, r])), 2);
  });
  // Read outside tidy: tidy walks a returned typed array element by element.
  const values = sums.dataSync();
  sums.dispose();
  for (let k = 0; k < kinds; k++) for (let c = 0; c < count; c++) out[k]![c] = values[k * count + c]!;
}

/** Whether a fast tfjs backend is initialised (never initialises one: that is backend.ts's job). */
function denseBackend(): boolean {
  const engine = tf.engine();
  // Reading tf.getBackend() would initialise one if none is; only use a backend already chosen.
  const name = engine.backendName as string | null | undefined;
  return name === 'wasm' || name === 'tensorflow';
}

/**
 * a . b for every row of A (rowsA x d) and of B (rowsB x d), row-major rowsA x rowsB: one matrix
 * product on the backend when it is initialised and the block is large, plain loops otherwise.
 * (The code-space index's build spends its time here.)
 */
export function pairDots(a: Float32Array, rowsA: number, b: Float32Array, rowsB: number, d: number, densePairs = DENSE_PAIRS_THRESHOLD): Float32Array {
  if (rowsA * rowsB >= densePairs && denseBackend()) {
    const bt = new Float32Array(d * rowsB);
    for (let p = 0; p < rowsB; p++) for (let t = 0; t < d; t++) bt[t * rowsB + p] = b[p * d + t]!;
    const product = tf.tidy(() => tf.matMul(tf.tensor2d(a.subarray(0, rowsA * d), [rowsA, d]), tf.tensor2d(bt, [d, rowsB])));
    const values = product.dataSync() as Float32Array;
    product.dispose();
    return values;
  }
  const out = new Float32Array(rowsA * rowsB);
  for (let i = 0; i < rowsA; i++) {
    for (let j = 0; j < rowsB; j++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += a[i * d + t]! * b[j * d + t]!;
      out[i * rowsB + j] = dot;
    }
  }
  return out;
}
