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
 * - tfjs runs the forward pass of a gradient computation in its own tidy, so everything the
 *   backward pass needs must be `save`d, and saving clones (a memory copy on wasm). The ops below
 *   save only what is not a Variable (variables outlive every tidy and are read from the
 *   closure), and `dense` / `sparseDense` fuse bias and activation so that the tape holds one
 *   saved activation per layer instead of the inputs of a broadcasting Add and of an activation.
 */

/** Saves the non-Variable tensors; returns a function that restores the full list in backward. */
function saveSome(save: tf.GradSaveFunc, tensors: readonly tf.Tensor[]): (saved: tf.Tensor[]) => tf.Tensor[] {
  const isVariable = tensors.map((t) => t instanceof tf.Variable);
  save(tensors.filter((_, i) => !isVariable[i]));
  return (saved) => {
    let q = 0;
    return tensors.map((t, i) => (isVariable[i] ? t : saved[q++]));
  };
}
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
  const native = nativeSegmentSum();
  if (native) return native(x, indices, segments, numSegments);
  if (!hasKernel('SparseSegmentSum')) {
    return tf.tidy(() => tf.unsortedSegmentSum(tf.gather(x, tf.tensor1d(indices, 'int32')), tf.tensor1d(segments, 'int32'), numSegments) as tf.Tensor2D);
  }
  return tf.tidy(() => {
    const summed = tf.sparse.sparseSegmentSum(x, tf.tensor1d(indices, 'int32'), tf.tensor1d(segments, 'int32')) as tf.Tensor2D;
    // The kernel returns (last segment + 1) rows; trailing empty segments are zero rows.
    const rows = segments[segments.length - 1] + 1;
    return rows === numSegments ? summed : tf.concat([summed, tf.zeros([numSegments - rows, cols])], 0);
  });
}

/** Which implementation `segmentSum` uses on the active backend (for tests and benchmarks). */
export function segmentSumImplementation(): 'libtensorflow op' | 'SparseSegmentSum kernel' | 'gather + UnsortedSegmentSum' {
  if (nativeSegmentSum()) return 'libtensorflow op';
  return hasKernel('SparseSegmentSum') ? 'SparseSegmentSum kernel' : 'gather + UnsortedSegmentSum';
}

/** The slice of tfjs-node's backend used to run a TensorFlow op that tfjs registers no kernel for. */
interface NativeBackend {
  readonly binding: { readonly TF_ATTR_TYPE: number; readonly TF_FLOAT: number; readonly TF_INT32: number };
  executeSingleOutput(name: string, attrs: ReadonlyArray<{ name: string; type: number; value: number }>, inputs: tf.Tensor[]): tf.Tensor;
}

/**
 * The native backend (tfjs-node) registers no `SparseSegmentSum` kernel, and its fallback
 * (GatherV2, then UnsortedSegmentSum) materialises one row per pair: at 100k items a training
 * step gathers hundreds of thousands of first-layer rows per kind, and that copy dominated the
 * step. libtensorflow itself has the fused op `SparseSegmentSumWithNumSegments` (sorted segment
 * ids, which both orders of a plan are), so it is run by name through the backend's generic op
 * execution. Null on any other backend, or if this backend cannot run it (checked once).
 */
function nativeSegmentSum(): ((x: tf.Tensor2D, indices: Int32Array, segments: Int32Array, numSegments: number) => tf.Tensor2D) | null {
  if (tf.getBackend() !== 'tensorflow') return null;
  const backend = tf.backend() as unknown as Partial<NativeBackend>;
  if (typeof backend.executeSingleOutput !== 'function' || !backend.binding) return null;
  const { binding } = backend;
  const run = (x: tf.Tensor2D, indices: Int32Array, segments: Int32Array, numSegments: number): tf.Tensor2D =>
    tf.tidy(() => {
      const type = (name: string, value: number): { name: string; type: number; value: number } => ({ name, type: binding.TF_ATTR_TYPE, value });
      const attrs = [
        type('T', binding.TF_FLOAT),
        type('Tidx', binding.TF_INT32),
        type('Tnumsegments', binding.TF_INT32),
        type('Tsegmentids', binding.TF_INT32),
      ];
      const inputs = [x, tf.tensor1d(indices, 'int32'), tf.tensor1d(segments, 'int32'), tf.scalar(numSegments, 'int32')];
      return backend.executeSingleOutput!('SparseSegmentSumWithNumSegments', attrs, inputs) as tf.Tensor2D;
    });
  if (nativeSegmentSumWorks === undefined) {
    try {
      const probe = tf.tidy(() => run(tf.tensor2d([1, 2, 3, 4], [2, 2]), Int32Array.of(1, 0), Int32Array.of(0, 2), 3).dataSync());
      nativeSegmentSumWorks = Array.from(probe).join() === '3,4,0,0,1,2';
    } catch {
      nativeSegmentSumWorks = false;
    }
  }
  return nativeSegmentSumWorks ? run : null;
}
let nativeSegmentSumWorks: boolean | undefined;

/**
 * Floats per chunk of the chunked ops. The chunks exist for wasm's 32-bit heap (4 GiB at most,
 * never shrinking, shared by every tensor); the native backend allocates outside it, so it takes
 * chunks 8x larger (fewer, larger products run faster there).
 */
export function defaultChunkFloats(): number {
  return tf.getBackend() === 'wasm' ? 1 << 22 : 1 << 25;
}

/** Whether the active backend registers a kernel (decided per call: tests switch backends). */
function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/**
 * Transposed operands passed as flags: the native backend multiplies them at full speed, while
 * wasm's BatchMatMul with transpose flags is far slower than an explicit transpose and a plain
 * product (see the header).
 */
function matMulT(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor2D {
  if (tf.getBackend() === 'tensorflow') return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, transposeA, transposeB);
  return tf.matMul((transposeA ? tf.transpose(a) : a) as tf.Tensor2D, (transposeB ? tf.transpose(b) : b) as tf.Tensor2D);
}

export type DenseActivation = 'sigmoid' | 'tanh' | 'relu';

function applyActivation(z: tf.Tensor, activation: DenseActivation): tf.Tensor2D {
  switch (activation) {
    case 'tanh':
      return tf.tanh(z) as tf.Tensor2D;
    case 'relu':
      return tf.relu(z) as tf.Tensor2D;
    default:
      return tf.sigmoid(z) as tf.Tensor2D;
  }
}

/** dL/dz from dL/dy and the activation's output y. */
function activationGrad(dy: tf.Tensor, y: tf.Tensor, activation: DenseActivation): tf.Tensor2D {
  switch (activation) {
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y))) as tf.Tensor2D;
    case 'relu':
      return tf.mul(dy, tf.step(y)) as tf.Tensor2D;
    default:
      return tf.mul(dy, tf.mul(y, tf.sub(1, y))) as tf.Tensor2D;
  }
}

/** act(x . w + b): one fused layer (eq. 1) whose backward pass keeps no copies. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: DenseActivation): tf.Tensor2D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor2D;
    const wi = args[1] as tf.Tensor2D;
    const y = tf.tidy(() => applyActivation(tf.add(tf.matMul(xi, wi), args[2] as tf.Tensor), activation));
    const restore = saveSome(args[3] as tf.GradSaveFunc, [xi, wi, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sy] = restore(saved);
        const dz = activationGrad(dy, sy, activation);
        return [matMulT(dz, sw, false, true), matMulT(sx, dz, true, false), tf.sum(dz, 0)];
      },
    };
  });
  return op(x, w, b) as tf.Tensor2D;
}

/**
 * act(sum of w rows over each segment's pairs + b): the sparse first layer of eq. 1 (the input
 * is a 0/1 adjacency row, so x . W1 is the sum of W1's rows at the row's neighbours).
 */
export function sparseDense(w: tf.Tensor2D, plan: SegmentPlan, b: tf.Tensor1D, activation: DenseActivation, rowScale: Float32Array | null = null): tf.Tensor2D {
  if (w.shape[0] !== plan.numDataRows) {
    throw new Error(`sparseDense: expected weights with ${plan.numDataRows} rows, got ${w.shape[0]}`);
  }
  if (rowScale !== null && rowScale.length !== plan.numSegments) {
    throw new Error(`sparseDense: expected ${plan.numSegments} row scales, got ${rowScale.length}`);
  }
  // rowScale: output row r sums a sample of its row's neighbours, scaled by (row size / sample size).
  const scaled = (x: tf.Tensor2D): tf.Tensor2D => (rowScale === null ? x : (tf.mul(x, tf.tensor2d(rowScale, [rowScale.length, 1])) as tf.Tensor2D));
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const wi = args[0] as tf.Tensor2D;
    const y = tf.tidy(() =>
      applyActivation(tf.add(scaled(rawSegmentSum(wi, plan.fwdIndices, plan.fwdSegments, plan.numSegments)), args[1] as tf.Tensor), activation),
    );
    const restore = saveSome(args[2] as tf.GradSaveFunc, [y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sy] = restore(saved);
        const dz = activationGrad(dy, sy, activation);
        return [rawSegmentSum(scaled(dz), plan.bwdIndices, plan.bwdSegments, plan.numDataRows), tf.sum(dz, 0)];
      },
    };
  });
  return op(w, b) as tf.Tensor2D;
}

/**
 * Logits at selected entries of x . wT^T + b (a sampled dense-dense product): for pair e,
 * x[rows[e]] . wT[cols[e]] + b[cols[e]]. Pairs are processed in chunks of `chunkFloats / h`, so
 * the gathered rows (chunk x h) exist only transiently and never on the tape.
 */
export function pairLogits(
  x: tf.Tensor2D,
  wT: tf.Tensor2D,
  b: tf.Tensor1D,
  rows: Int32Array,
  cols: Int32Array,
  chunkFloats = defaultChunkFloats(),
): tf.Tensor1D {
  const pairs = rows.length;
  const [u, h] = x.shape;
  const n = wT.shape[0];
  if (cols.length !== pairs || wT.shape[1] !== h || b.shape[0] !== n) {
    throw new Error(`pairLogits: expected equal pair lists and x U x h, wT N x h, b N; got ${pairs}/${cols.length} pairs, ${x.shape}, ${wT.shape}, ${b.shape}`);
  }
  const size = Math.max(1, Math.floor(chunkFloats / h));
  const chunks: Array<{ rows: SegmentPlan; cols: SegmentPlan }> = [];
  for (let e0 = 0; e0 < pairs; e0 += size) {
    const e1 = Math.min(pairs, e0 + size);
    chunks.push({ rows: gatherPlan(rows.subarray(e0, e1), u), cols: gatherPlan(cols.subarray(e0, e1), n) });
  }
  const gather = (m: tf.Tensor2D, p: SegmentPlan): tf.Tensor2D => rawSegmentSum(m, p.fwdIndices, p.fwdSegments, p.numSegments);
  const scatter = (m: tf.Tensor2D, p: SegmentPlan): tf.Tensor2D => rawSegmentSum(m, p.bwdIndices, p.bwdSegments, p.numDataRows);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor2D;
    const wi = args[1] as tf.Tensor2D;
    const bi = args[2] as tf.Tensor1D;
    const parts = chunks.map((c) =>
      tf.tidy(() =>
        tf.add(
          tf.sum(tf.mul(gather(xi, c.rows), gather(wi, c.cols)), 1),
          tf.reshape(gather(tf.reshape(bi, [n, 1]) as tf.Tensor2D, c.cols), [c.cols.numSegments]),
        ),
      ),
    );
    const value = (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor1D;
    const restore = saveSome(args[3] as tf.GradSaveFunc, [xi, wi]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = restore(saved) as tf.Tensor2D[];
        let dx: tf.Tensor2D = tf.zeros([u, h]);
        let dw: tf.Tensor2D = tf.zeros([n, h]);
        let db: tf.Tensor2D = tf.zeros([n, 1]);
        let e0 = 0;
        for (const c of chunks) {
          const count = c.rows.numSegments;
          const next = tf.tidy(() => {
            const g = tf.reshape(tf.slice(dy, [e0], [count]), [count, 1]) as tf.Tensor2D;
            return [
              tf.add(dx, scatter(tf.mul(gather(sw, c.cols), g), c.rows)),
              tf.add(dw, scatter(tf.mul(gather(sx, c.rows), g), c.cols)),
              tf.add(db, scatter(g, c.cols)),
            ] as tf.Tensor2D[];
          });
          tf.dispose([dx, dw, db]);
          [dx, dw, db] = next;
          e0 += count;
        }
        const dbFlat = tf.reshape(db, [n]);
        db.dispose();
        return [dx, dw, dbFlat];
      },
    };
  });
  return op(x, wT, b) as tf.Tensor1D;
}

/** x x^T for a batch of matrices (B x L x d), with its gradient written as plain products (wasm). */
export function batchedGram(x: tf.Tensor3D): tf.Tensor3D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor3D;
    (args[1] as tf.GradSaveFunc)([xi]);
    return {
      value: tf.matMul(xi, tf.transpose(xi, [0, 2, 1])),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor3D;
        return [tf.matMul(tf.add(g, tf.transpose(g, [0, 2, 1])) as tf.Tensor3D, saved[0] as tf.Tensor3D)];
      },
    };
  });
  return op(x) as tf.Tensor3D;
}

/** a (m x k) . b (k x n), with a backward pass free of transposed products. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    const w = args[1] as tf.Tensor2D;
    const restore = saveSome(args[2] as tf.GradSaveFunc, [x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = restore(saved);
        const g = dy as tf.Tensor2D;
        return [matMulT(g, sw, false, true), matMulT(sx, g, true, false)];
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
    const restore = saveSome(args[2] as tf.GradSaveFunc, [x, wT]);
    return {
      value: matMulT(x, wT, false, true),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, swT] = restore(saved);
        const g = dy as tf.Tensor2D;
        return [tf.matMul(g, swT), matMulT(g, sx, true, false)];
      },
    };
  });
  return op(a, bT) as tf.Tensor2D;
}

/**
 * The exact reconstruction term of eq. 3 for one kind, fused:
 *   sum over (r, c) of w_rc (m_rc - sigmoid(hidden_r . wT_c + b_c))^2,  w = beta^2 + (1 - beta^2) m,
 * with m the 0/1 adjacency of the batch rows (U x N, given as a JS array).
 *
 * Why a custom op: op by op, the tape keeps about ten U x N intermediates per kind; on ML-1M a
 * step took the wasm heap (32-bit: 4 GiB at most, and it never shrinks) to 3.1 GiB and training
 * aborted with an allocation failure. Here the forward pass runs in row chunks of at most
 * `chunkFloats` values and saves only the sigmoid outputs; the backward pass rebuilds each
 * chunk's mask from the JS array and accumulates dW chunk by chunk, so the temporaries are
 * O(chunk x N). Same FLOPs as the op-by-op version. (ML-1M: heap 1.8 GiB.)
 */
export function exactReconstructionLoss(
  hidden: tf.Tensor2D,
  wT: tf.Tensor2D,
  bias: tf.Tensor1D,
  mask: Float32Array,
  beta: number,
  chunkFloats = defaultChunkFloats(),
): tf.Scalar {
  const [u, h] = hidden.shape;
  const n = wT.shape[0];
  if (wT.shape[1] !== h || bias.shape[0] !== n || mask.length !== u * n) {
    throw new Error(
      `exactReconstructionLoss: expected hidden U x h, wT N x h, bias N, mask U*N; got ${hidden.shape}, ${wT.shape}, ${bias.shape}, ${mask.length}`,
    );
  }
  const beta2 = beta * beta;
  const rows = Math.max(1, Math.floor(chunkFloats / n));
  const chunks: Array<readonly [number, number]> = [];
  for (let r0 = 0; r0 < u; r0 += rows) chunks.push([r0, Math.min(u, r0 + rows) - r0]);
  const maskChunk = (r0: number, count: number): tf.Tensor2D => tf.tensor2d(mask.subarray(r0 * n, (r0 + count) * n), [count, n]);

  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    const w = args[1] as tf.Tensor2D;
    const b = args[2] as tf.Tensor1D;
    const save = args[3] as tf.GradSaveFunc;
    const wCols = tf.transpose(w) as tf.Tensor2D;
    const sigmoids: tf.Tensor2D[] = [];
    let value = tf.scalar(0);
    for (const [r0, count] of chunks) {
      const s = tf.tidy(() => tf.sigmoid(tf.add(tf.matMul(tf.slice(x, [r0, 0], [count, h]), wCols), b)) as tf.Tensor2D);
      sigmoids.push(s);
      const next = tf.tidy(() => {
        const m = maskChunk(r0, count);
        const sq = tf.square(tf.sub(m, s));
        // w (m - s)^2 = beta^2 (m - s)^2 + (1 - beta^2) m (m - s)^2
        return tf.add(value, tf.add(tf.mul(tf.sum(sq), beta2), tf.mul(tf.sum(tf.mul(m, sq)), 1 - beta2))) as tf.Scalar;
      });
      value.dispose();
      value = next;
    }
    wCols.dispose();
    const restore = saveSome(save, [x, w, ...sigmoids]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, ...ss] = restore(saved) as tf.Tensor2D[];
        const dxParts: tf.Tensor2D[] = [];
        let dw: tf.Tensor2D = tf.zeros([n, h]);
        let db: tf.Tensor1D = tf.zeros([n]);
        chunks.forEach(([r0, count], q) => {
          const [dxPart, dwNext, dbNext] = tf.tidy(() => {
            const m = maskChunk(r0, count);
            const s = ss[q];
            // d/dz of w (m - s)^2 with s = sigmoid(z): 2 w (s - m) s (1 - s).
            const weight = tf.add(tf.mul(m, 1 - beta2), beta2);
            const g = tf.mul(tf.mul(tf.mul(weight, tf.sub(s, m)), tf.mul(dy, 2)), tf.mul(s, tf.sub(1, s))) as tf.Tensor2D;
            const xChunk = tf.slice(sx, [r0, 0], [count, h]);
            return [tf.matMul(g, sw), tf.add(dw, matMulT(g, xChunk, true, false)), tf.add(db, tf.sum(g, 0))] as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
          });
          dw.dispose();
          db.dispose();
          dw = dwNext;
          db = dbNext;
          dxParts.push(dxPart);
        });
        const dx = dxParts.length === 1 ? dxParts[0] : tf.concat(dxParts, 0);
        return [dx, dw, db];
      },
    };
  });
  return op(hidden, wT, bias) as tf.Scalar;
}
