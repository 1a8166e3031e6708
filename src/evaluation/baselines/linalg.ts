/**
 * Dense symmetric positive-definite inverse for EASE. Cholesky (A = L L^T), then L^-1, then
 * A^-1 = L^-T L^-1: about n^3/2 multiply-adds, all as contiguous row loops over a row-major
 * Float64Array, which is what lets a 1.7k-item inverse finish in a few seconds in plain JS.
 */

/** Inverse of the n x n SPD matrix `a` (row-major). `a` is left unchanged. Throws if not SPD. */
export function invertSpd(a: Float64Array, n: number): Float64Array {
  if (a.length !== n * n) throw new RangeError(`invertSpd: expected ${n * n} entries, got ${a.length}`);
  const l = choleskyLower(a, n);
  const w = invertLower(l, n);
  return lowerGram(w, n);
}

/** L with A = L L^T (lower triangle filled, upper zero). */
export function choleskyLower(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      if (i === j) {
        if (!(s > 0)) throw new Error(`invertSpd: matrix is not positive definite (pivot ${i} = ${s})`);
        l[ri + i] = Math.sqrt(s);
      } else {
        l[ri + j] = s / l[rj + j];
      }
    }
  }
  return l;
}

/** W = L^-1 for lower-triangular L, row by row: W_i = (e_i - sum_{k<i} L_ik W_k) / L_ii. */
export function invertLower(l: Float64Array, n: number): Float64Array {
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    w[ri + i] = 1;
    for (let k = 0; k < i; k++) {
      const f = l[ri + k];
      if (f === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) w[ri + j] -= f * w[rk + j];
    }
    const d = 1 / l[ri + i];
    for (let j = 0; j <= i; j++) w[ri + j] *= d;
  }
  return w;
}

// W^T W for lower-triangular W, by rank-1 updates with row k of W (contiguous), then mirrored.
function lowerGram(w: Float64Array, n: number): Float64Array {
  const p = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const f = w[rk + i];
      if (f === 0) continue;
      const ri = i * n;
      for (let j = 0; j <= i; j++) p[ri + j] += f * w[rk + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) p[j * n + i] = p[i * n + j];
  return p;
}
