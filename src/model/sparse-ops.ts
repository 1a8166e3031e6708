/**
 * The few differentiable operations eRAN needs, written so that every forward and backward pass
 * runs on kernels the wasm backend has and runs fast:
 *
 * - wasm has no `UnsortedSegmentSum`, which is the gradient of `tf.gather`, and its `GatherV2` is
 *   slow (about 30M floats/s measured). `segmentSum` uses the C++ `SparseSegmentSum` kernel for
 *   the forward pass and, for the backward pass, the same kernel on the transposed pairing (a
 *   scatter-add written as a segment sum over pairs pre-sorted in JS). It serves as the sparse
 *   first layer (sum of W1 rows over an item's neighbours) and as a differentiable row gather.
 * - wasm's `BatchMatMul` with transposeA/transposeB runs 12-40x slower than the plain product
 *   (measured: 0.9-3.5 vs 40-45 GFLOP/s), and the built-in gradient of matMul uses exactly those.
 *   `matMul` and `matMulBT` compute their gradients as explicit transposes followed by plain
 *   products.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * The pairs of a segment sum, prepared in JS in both orders:
 * forward  out[fwdSegments[e]] += data[fwdIndices[e]]   (fwdSegments ascending),
 * backward dData[bwdSegments[e]] += dOut[bwdIndices[e]] (bwdSegments ascending).
 */
export interface SegmentPlan {
  readonly fwdIndices: Int32Array;
  readonly fwdSegments: Int32Array;
  readonly numSegments: number;
  readonly bwdIndices: Int32Array;
  readonly bwdSegments: Int32Array;
  readonly numDataRows: number;
}

/**
 * Builds a plan from pairs (dataIndex[e] -> segment[e]); `segment` must be ascending.
 * The backward order is a stable counting sort by data index: O(pairs + rows).
 */
export function segmentPlan(dataIndex: Int32Array, segment: Int32Array, numDataRows: number, numSegments: number): SegmentPlan {
  if (dataIndex.length !== segment.length) {
    throw new Error(`segmentPlan: expected equal lengths, got ${dataIndex.length} indices and ${segment.length} segments`);
  }
  const nnz = dataIndex.length;
  const counts = new Int32Array(numDataRows + 1);
  let previous = 0;
  for (let e = 0; e < nnz; e++) {
    const s = segment[e];
    const i = dataIndex[e];
    if (s < previous || s >= numSegments) {
      throw new Error(`segmentPlan: expected ascending segments in [0, ${numSegments}), got ${s} at ${e} after ${previous}`);
    }
    if (i < 0 || i >= numDataRows) {
      throw new Error(`segmentPlan: expected data indexes in [0, ${numDataRows}), got ${i} at ${e}`);
    }
    previous = s;
    counts[i + 1]++;
  }
  for (let r = 0; r < numDataRows; r++) counts[r + 1] += counts[r];
  const bwdIndices = new Int32Array(nnz);
  const bwdSegments = new Int32Array(nnz);
  for (let e = 0; e < nnz; e++) {
    const pos = counts[dataIndex[e]]++;
    bwdIndices[pos] = segment[e];
    bwdSegments[pos] = dataIndex[e];
  }
  return { fwdIndices: dataIndex, fwdSegments: segment, numSegments, bwdIndices, bwdSegments, numDataRows };
}

/** A plan that gathers rows `rows` of a matrix with `numDataRows` rows (output row e = data[rows[e]]). */
export function gatherPlan(rows: Int32Array, numDataRows: number): SegmentPlan {
  const segments = new Int32Array(rows.length);
  for (let e = 0; e < rows.length; e++) segments[e] = e;
  return segmentPlan(rows, segments, numDataRows, rows.length);
}

/** out[s] = sum of data rows paired with s (differentiable w.r.t. data). */
export function segmentSum(data: tf.Tensor2D, plan: SegmentPlan): tf.Tensor2D {
  if (data.shape[0] !== plan.numDataRows) {
    throw new Error(`segmentSum: expected data with ${plan.numDataRows} rows, got ${data.shape[0]}`);
  }
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    return {
      value: rawSegmentSum(x, plan.fwdIndices, plan.fwdSegments, plan.numSegments),
      gradFunc: (dy: tf.Tensor) => rawSegmentSum(dy as tf.Tensor2D, plan.bwdIndices, plan.bwdSegments, plan.numDataRows),
    };
  });
  return op(data) as tf.Tensor2D;
}

/** Differentiable row gather built on `segmentSum`. */
export function gatherRows(data: tf.Tensor2D, plan: SegmentPlan): tf.Tensor2D {
  return segmentSum(data, plan);
}

function rawSegmentSum(x: tf.Tensor2D, indices: Int32Array, segments: Int32Array, numSegments: number): tf.Tensor2D {
  const cols = x.shape[1];
  if (indices.length === 0) return tf.zeros([numSegments, cols]);
  return tf.tidy(() => {
    const summed = tf.sparse.sparseSegmentSum(x, tf.tensor1d(indices, 'int32'), tf.tensor1d(segments, 'int32')) as tf.Tensor2D;
    // The kernel returns (last segment + 1) rows; trailing empty segments are zero rows.
    const rows = segments[segments.length - 1] + 1;
    return rows === numSegments ? summed : tf.concat([summed, tf.zeros([numSegments - rows, cols])], 0);
  });
}

/** a (m x k) . b (k x n), with a backward pass free of transposed products. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    const w = args[1] as tf.Tensor2D;
    const save = args[2] as tf.GradSaveFunc;
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        const g = dy as tf.Tensor2D;
        return [tf.matMul(g, tf.transpose(sw)), tf.matMul(tf.transpose(sx), g)];
      },
    };
  });
  return op(a, b) as tf.Tensor2D;
}

/** a (m x k) . bT(n x k)^T, for weights stored one row per output unit (the decoder's N-wide layer). */
export function matMulBT(a: tf.Tensor2D, bT: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    const wT = args[1] as tf.Tensor2D;
    const save = args[2] as tf.GradSaveFunc;
    save([x, wT]);
    return {
      value: tf.matMul(x, tf.transpose(wT)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, swT] = saved as [tf.Tensor2D, tf.Tensor2D];
        const g = dy as tf.Tensor2D;
        return [tf.matMul(g, swT), tf.matMul(tf.transpose(g), sx)];
      },
    };
  });
  return op(a, bT) as tf.Tensor2D;
}

/**
 * The exact reconstruction term of eq. 3 for one kind, fused:
 *   sum over (r, c) of w_rc (m_rc - sigmoid(hidden_r . wT_c + b_c))^2,  w = beta^2 + (1 - beta^2) m,
 * with m the 0/1 adjacency of the batch rows (U x N). Written as one custom op so that the tape
 * keeps two U x N tensors (the sigmoid output and the mask) instead of the dozen intermediates
 * of the op-by-op version: on ML-1M that took the wasm heap (32-bit, at most 4 GiB) from about
 * 3 GiB to well under half of it.
 */
export function exactReconstructionLoss(hidden: tf.Tensor2D, wT: tf.Tensor2D, bias: tf.Tensor1D, mask: Float32Array, beta: number): tf.Scalar {
  const [u, h] = hidden.shape;
  const n = wT.shape[0];
  if (wT.shape[1] !== h || bias.shape[0] !== n || mask.length !== u * n) {
    throw new Error(`exactReconstructionLoss: expected hidden U x h, wT N x h, bias N, mask U*N; got ${hidden.shape}, ${wT.shape}, ${bias.shape}, ${mask.length}`);
  }
  const beta2 = beta * beta;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    const w = args[1] as tf.Tensor2D;
    const b = args[2] as tf.Tensor1D;
    const save = args[3] as tf.GradSaveFunc;
    const m = tf.tensor2d(mask, [u, n]);
    const s = tf.tidy(() => tf.sigmoid(tf.add(tf.matMul(x, tf.transpose(w)), b)));
    const value = tf.tidy(() => {
      const diff = tf.sub(m, s);
      const sq = tf.square(diff);
      // w (m - s)^2 = beta^2 (m - s)^2 + (1 - beta^2) m (m - s)^2
      return tf.add(tf.mul(tf.sum(sq), beta2), tf.mul(tf.sum(tf.mul(m, sq)), 1 - beta2)) as tf.Scalar;
    });
    save([x, w, s, m]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, ss, sm] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        // d/dz of w (m - s)^2 with s = sigmoid(z): 2 w (s - m) s (1 - s).
        const g = tf.tidy(() => {
          const weight = tf.add(tf.mul(sm, 1 - beta2), beta2);
          const ds = tf.mul(tf.mul(weight, tf.sub(ss, sm)), tf.mul(dy, 2));
          return tf.mul(ds, tf.mul(ss, tf.sub(1, ss))) as tf.Tensor2D;
        });
        return [tf.matMul(g, sw), tf.matMul(tf.transpose(g), sx), tf.sum(g, 0)];
      },
    };
  });
  return op(hidden, wT, bias) as tf.Scalar;
}
