/**
 * Inverse of a large symmetric positive-definite matrix on the active tfjs backend's matrix
 * product (wasm SIMD, or native TensorFlow when it is chosen), for EASE's N x N solve.
 *
 * Block Gauss-Jordan ("sweep") elimination: for each diagonal block k, with D = A_kk^-1 and W the
 * k-th block column, every entry outside block k takes A_ij -= (W D)_i W_j^T, the block column
 * becomes W D, and A_kk becomes -D; after the last block the matrix holds -A^-1. No pivoting is
 * needed for an SPD matrix (every pivot block is a Schur complement of A, itself SPD). Each block
 * costs one rank-b update of the lower triangle, n^3 multiply-adds in all, nearly all of them in
 * tf.matMul calls on tiles of at most `block` rows; the small b x b inverses run in float64 JS.
 *
 * Why a sweep rather than Cholesky + triangular inverse + U U^T: the same n^3 count, one kind of
 * step instead of three, and the matrix is transformed in place, so the only N x N memory is the
 * caller's array (a 32-bit wasm heap could not hold N x N tensors at the sizes EASE is used for;
 * only tiles travel to the backend). Precision is float32 throughout, as the backend's products
 * are; the EASE tests compare against the float64 reference in linalg.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { invertSpd } from './linalg';

/** Tile size: products are (m x block) x (block x block); the block x block pivot inverses run in JS. */
export const DEFAULT_SPD_BLOCK = 512;

export interface BlockedSpdOptions {
  readonly block?: number;
}

/**
 * Replaces `a` (n x n, row-major, symmetric positive definite; both triangles filled) by its
 * inverse and returns it. Throws, naming the block, if a pivot block is not positive definite.
 */
export function invertSpdInPlace(a: Float32Array, n: number, opts: BlockedSpdOptions = {}): Float32Array {
  if (a.length !== n * n) throw new RangeError(`invertSpdInPlace: expected ${n * n} entries, got ${a.length}`);
  const block = opts.block ?? DEFAULT_SPD_BLOCK;
  if (!Number.isInteger(block) || block < 1) throw new RangeError(`invertSpdInPlace: block must be a positive integer, got ${block}`);
  if (n <= block) {
    a.set(invertSpd(Float64Array.from(a), n));
    return a;
  }
  for (let k0 = 0; k0 < n; k0 += block) sweepBlock(a, n, k0, Math.min(n, k0 + block), block);
  // The sweep leaves -A^-1 in the lower triangle.
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const v = -a[ri + j];
      a[ri + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

// One block sweep on the lower triangle of `a` (the upper triangle is ignored until the end).
function sweepBlock(a: Float32Array, n: number, k0: number, k1: number, block: number): void {
  const t = k1 - k0;
  const pivot = new Float64Array(t * t);
  for (let r = 0; r < t; r++) {
    for (let c = 0; c <= r; c++) {
      const v = a[(k0 + r) * n + k0 + c];
      pivot[r * t + c] = v;
      pivot[c * t + r] = v;
    }
  }
  let d: Float64Array;
  try {
    d = invertSpd(pivot, t);
  } catch (error) {
    throw new Error(`invertSpdInPlace: the pivot block at rows ${k0}..${k1 - 1} is not positive definite (${(error as Error).message})`);
  }
  // W = A[:, k0..k1) with the block's own rows zeroed, so the product below leaves block k alone;
  // Wt is its explicit transpose: a transposed operand makes wasm's matMul many times slower.
  const w = new Float32Array(n * t);
  const wt = new Float32Array(t * n);
  for (let i = 0; i < n; i++) {
    if (i >= k0 && i < k1) continue;
    for (let c = 0; c < t; c++) {
      // Entry (i, k0 + c) lives in the lower triangle at (i, k0 + c) below the block, (k0 + c, i) above it.
      const v = i >= k1 ? a[i * n + k0 + c] : a[(k0 + c) * n + i];
      w[i * t + c] = v;
      wt[c * n + i] = v;
    }
  }
  const v = tf.tidy(() => {
    const vt = tf.matMul(tf.tensor2d(w, [n, t]), tf.tensor2d(Float32Array.from(d), [t, t]));
    return tf.keep(vt);
  });
  const wtT = tf.tensor2d(wt, [t, n]);
  try {
    // Lower triangle, one tile column at a time: columns [j0, j1) need rows [j0, n). A tall first
    // operand times a small second one is the shape wasm's matMul runs fastest (the second operand
    // is repacked on every call), and each result row lands in a contiguous run of `a`.
    for (let j0 = 0; j0 < n; j0 += block) {
      // The pivot's own tile column gets nothing from the update (its rows of W are zero).
      if (j0 === k0) continue;
      const j1 = Math.min(n, j0 + block);
      const cols = j1 - j0;
      const rows = n - j0;
      const product = tf.tidy(() => tf.matMul(tf.slice(v, [j0, 0], [rows, t]), tf.slice(wtT, [0, j0], [t, cols])));
      const p = product.dataSync() as Float32Array;
      product.dispose();
      for (let r = 0; r < rows; r++) {
        const ra = (j0 + r) * n + j0;
        const rp = r * cols;
        const end = Math.min(cols, r + 1);
        for (let c = 0; c < end; c++) a[ra + c] -= p[rp + c];
      }
    }
    // The block column becomes W D, the pivot block -D.
    const vd = v.dataSync() as Float32Array;
    for (let i = 0; i < n; i++) {
      if (i >= k0 && i < k1) continue;
      for (let c = 0; c < t; c++) {
        if (i >= k1) a[i * n + k0 + c] = vd[i * t + c];
        else a[(k0 + c) * n + i] = vd[i * t + c];
      }
    }
    for (let r = 0; r < t; r++) for (let c = 0; c <= r; c++) a[(k0 + r) * n + k0 + c] = -d[r * t + c];
  } finally {
    v.dispose();
    wtT.dispose();
  }
}
