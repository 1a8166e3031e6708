/**
 * Dense symmetric positive-definite inverse for EASE: Cholesky (A = L L^T), then U = L^-T, then
 * A^-1 = U U^T, about n^3/2 multiply-adds. At n = 3.5k the matrices (98 MB each) are far larger
 * than any cache, so every step works on a block of ROW_BLOCK rows at a time: each other row is
 * streamed from memory once per block instead of once per row, and four rows share each load.
 * That keeps plain JS at 1-2 GFLOP/s instead of stalling on memory bandwidth.
 */

const ROW_BLOCK = 16;

/** Inverse of the n x n SPD matrix `a` (row-major). `a` is left unchanged. Throws if not SPD. */
export function invertSpd(a: Float64Array, n: number): Float64Array {
  if (a.length !== n * n) throw new RangeError(`invertSpd: expected ${n * n} entries, got ${a.length}`);
  const l = choleskyLower(a, n);
  const u = inverseTransposeOfLower(l, n);
  // A^-1 = L^-T L^-1 = U U^T; L is no longer needed, so its buffer takes the result.
  return upperGramInto(u, l, n);
}

/** L with A = L L^T (lower triangle filled, upper zero). */
export function choleskyLower(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i0 = 0; i0 < n; i0 += ROW_BLOCK) {
    const i1 = Math.min(n, i0 + ROW_BLOCK);
    // Columns left of the block: row j is final, read once for the whole block.
    for (let j = 0; j < i0; j++) {
      const rj = j * n;
      const d = l[rj + j];
      let i = i0;
      for (; i + 3 < i1; i += 4) {
        const r0 = i * n;
        const r1 = r0 + n;
        const r2 = r1 + n;
        const r3 = r2 + n;
        let s0 = a[r0 + j];
        let s1 = a[r1 + j];
        let s2 = a[r2 + j];
        let s3 = a[r3 + j];
        for (let k = 0; k < j; k++) {
          const x = l[rj + k];
          s0 -= l[r0 + k] * x;
          s1 -= l[r1 + k] * x;
          s2 -= l[r2 + k] * x;
          s3 -= l[r3 + k] * x;
        }
        l[r0 + j] = s0 / d;
        l[r1 + j] = s1 / d;
        l[r2 + j] = s2 / d;
        l[r3 + j] = s3 / d;
      }
      for (; i < i1; i++) {
        const ri = i * n;
        let s = a[ri + j];
        for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
        l[ri + j] = s / d;
      }
    }
    // Inside the block: the plain row-oriented recurrence.
    for (let j = i0; j < i1; j++) {
      const rj = j * n;
      for (let i = j; i < i1; i++) {
        const ri = i * n;
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
  }
  return l;
}

/**
 * U = L^-T (upper triangular) for lower-triangular L. Row j of U comes left to right from
 * U_jj = 1/L_jj and U_ji = -dot(L_i[j..i), U_j[j..i)) / L_ii, so both operands are contiguous and
 * L^-1 never needs transposing. Rows of U are built a block at a time: each row of L is loaded
 * once per block.
 */
export function inverseTransposeOfLower(l: Float64Array, n: number): Float64Array {
  const u = new Float64Array(n * n);
  for (let j0 = 0; j0 < n; j0 += ROW_BLOCK) {
    const j1 = Math.min(n, j0 + ROW_BLOCK);
    for (let j = j0; j < j1; j++) u[j * n + j] = 1 / l[j * n + j];
    for (let i = j0 + 1; i < n; i++) {
      const ri = i * n;
      const dInv = 1 / l[ri + i];
      const jEnd = Math.min(j1, i);
      let j = j0;
      // Four rows of U at a time share each load of L_i over their common range [j + 3, i);
      // the few leading terms where their ranges differ are added first.
      for (; j + 3 < jEnd; j += 4) {
        const r0 = j * n;
        const r1 = r0 + n;
        const r2 = r1 + n;
        const r3 = r2 + n;
        let s0 = l[ri + j] * u[r0 + j] + l[ri + j + 1] * u[r0 + j + 1] + l[ri + j + 2] * u[r0 + j + 2];
        let s1 = l[ri + j + 1] * u[r1 + j + 1] + l[ri + j + 2] * u[r1 + j + 2];
        let s2 = l[ri + j + 2] * u[r2 + j + 2];
        let s3 = 0;
        for (let k = j + 3; k < i; k++) {
          const x = l[ri + k];
          s0 += x * u[r0 + k];
          s1 += x * u[r1 + k];
          s2 += x * u[r2 + k];
          s3 += x * u[r3 + k];
        }
        u[r0 + i] = -s0 * dInv;
        u[r1 + i] = -s1 * dInv;
        u[r2 + i] = -s2 * dInv;
        u[r3 + i] = -s3 * dInv;
      }
      for (; j < jEnd; j++) {
        const rj = j * n;
        let s = 0;
        for (let k = j; k < i; k++) s += l[ri + k] * u[rj + k];
        u[rj + i] = -s * dInv;
      }
    }
  }
  return u;
}

// P = U U^T restricted to the upper triangle: P_ij = sum_{k >= j} U_ik U_jk for j >= i (U upper
// triangular), row-blocked like the factorisation, then mirrored.
function upperGramInto(u: Float64Array, p: Float64Array, n: number): Float64Array {
  p.fill(0);
  for (let i0 = 0; i0 < n; i0 += ROW_BLOCK) {
    const i1 = Math.min(n, i0 + ROW_BLOCK);
    for (let j = i0; j < n; j++) {
      const rj = j * n;
      let i = i0;
      // Rows i <= j of the block share row j's load; i ranges over the block, capped at j.
      const iEnd = Math.min(i1, j + 1);
      for (; i + 3 < iEnd; i += 4) {
        const r0 = i * n;
        const r1 = r0 + n;
        const r2 = r1 + n;
        const r3 = r2 + n;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let k = j; k < n; k++) {
          const x = u[rj + k];
          s0 += u[r0 + k] * x;
          s1 += u[r1 + k] * x;
          s2 += u[r2 + k] * x;
          s3 += u[r3 + k] * x;
        }
        p[r0 + j] = s0;
        p[r1 + j] = s1;
        p[r2 + j] = s2;
        p[r3 + j] = s3;
      }
      for (; i < iEnd; i++) {
        const ri = i * n;
        let s = 0;
        for (let k = j; k < n; k++) s += u[ri + k] * u[rj + k];
        p[ri + j] = s;
      }
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) p[j * n + i] = p[i * n + j];
  return p;
}
