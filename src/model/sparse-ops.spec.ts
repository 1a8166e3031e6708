import * as tf from '@tensorflow/tfjs-core';
import { Adam } from './adam';
import { ensureGradients } from './gradients';
import { ADAM_DEFAULTS, RowTable } from './row-table';
import {
  batchedGram,
  exactReconstructionLoss,
  gatherPlan,
  matMul,
  matMulBT,
  pairLogits,
  segmentPlan,
  segmentSum,
  segmentSumImplementation,
  sparseDense,
} from './sparse-ops';
import { Rng } from './rng';
import { expectedTestBackendName, useTestBackend } from './testing/use-test-backend';

beforeAll(async () => {
  await useTestBackend();
  ensureGradients();
});

describe('segmentSum', () => {
  // data rows 0..3 (2 columns); pairs (data index -> segment): 2->0, 0->0, 2->2, 3->2; segment 1 and 3 empty.
  const data = [
    [1, 2],
    [3, 4],
    [5, 6],
    [7, 8],
  ];
  const plan = segmentPlan(Int32Array.of(2, 0, 2, 3), Int32Array.of(0, 0, 2, 2), 4, 4);

  it('sums data rows into segments, empty and trailing segments are zero rows', () => {
    const out = tf.tidy(() => segmentSum(tf.tensor2d(data), plan).arraySync());
    expect(out).toEqual([
      [6, 8],
      [0, 0],
      [12, 14],
      [0, 0],
    ]);
  });

  it('has the scatter-add gradient (each data row receives the sum of its segments)', () => {
    const grad = tf.tidy(() => {
      const weights = tf.tensor2d([
        [1, 10],
        [100, 1000],
        [2, 20],
        [3, 30],
      ]);
      return tf
        .grad((x: tf.Tensor) => tf.sum(tf.mul(segmentSum(x as tf.Tensor2D, plan), weights)))(tf.tensor2d(data))
        .arraySync();
    });
    // data 0 feeds segment 0; data 2 feeds segments 0 and 2; data 3 feeds segment 2; data 1 nothing.
    expect(grad).toEqual([
      [1, 10],
      [0, 0],
      [3, 30],
      [2, 20],
    ]);
  });

  it('runs the fused op on every backend: libtensorflow by name on the native one, the kernel on wasm', () => {
    const expected =
      expectedTestBackendName() === 'tensorflow' ? 'libtensorflow op' : expectedTestBackendName() === 'wasm' ? 'SparseSegmentSum kernel' : undefined;
    if (expected) expect(segmentSumImplementation()).toBe(expected);
  });

  it('matches a plain sum over a random plan (repeated rows, empty and trailing segments), forward and backward', () => {
    const rng = new Rng(7);
    const rows = 50;
    const segments = 40;
    const cols = 3;
    const pairs = 300;
    const segment = Int32Array.from({ length: pairs }, () => rng.int(segments - 3)).sort();
    const index = Int32Array.from({ length: pairs }, () => rng.int(rows));
    const values = Float32Array.from({ length: rows * cols }, () => rng.next() - 0.5);
    const weights = Float32Array.from({ length: segments * cols }, () => rng.next());
    const p = segmentPlan(index, segment, rows, segments);
    const expectedOut = new Float32Array(segments * cols);
    const expectedGrad = new Float32Array(rows * cols);
    for (let e = 0; e < pairs; e++) {
      for (let c = 0; c < cols; c++) {
        expectedOut[segment[e] * cols + c] += values[index[e] * cols + c];
        expectedGrad[index[e] * cols + c] += weights[segment[e] * cols + c];
      }
    }
    const [out, grad] = tf.tidy(() => {
      const x = tf.tensor2d(values, [rows, cols]);
      const w = tf.tensor2d(weights, [segments, cols]);
      return [
        segmentSum(x, p).dataSync(),
        tf
          .grad((t: tf.Tensor) => tf.sum(tf.mul(segmentSum(t as tf.Tensor2D, p), w)))(x)
          .dataSync(),
      ];
    });
    expect(out.length).toBe(expectedOut.length);
    out.forEach((v, i) => expect(v).toBeCloseTo(expectedOut[i], 5));
    grad.forEach((v, i) => expect(v).toBeCloseTo(expectedGrad[i], 5));
  });

  it('gathers rows, repeated indexes included', () => {
    const out = tf.tidy(() => segmentSum(tf.tensor2d(data), gatherPlan(Int32Array.of(3, 1, 3), 4)).arraySync());
    expect(out).toEqual([
      [7, 8],
      [3, 4],
      [7, 8],
    ]);
  });

  it('rejects unsorted segments with a message that says what was expected', () => {
    expect(() => segmentPlan(Int32Array.of(0, 1), Int32Array.of(1, 0), 2, 2)).toThrow(/expected ascending segments/);
  });
});

describe('matMul and matMulBT', () => {
  it('match the naive product and its gradients', () => {
    const a = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const b = [
      [1, -1],
      [2, 0],
      [0, 3],
    ];
    const up = [
      [1, 2],
      [3, 4],
    ];
    const [value, da, db, valueT, daT, dbT] = tf.tidy(() => {
      const ta = tf.tensor2d(a);
      const tb = tf.tensor2d(b);
      const tbT = tf.transpose(tb) as tf.Tensor2D;
      const w = tf.tensor2d(up);
      const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMul(x as tf.Tensor2D, y as tf.Tensor2D), w)));
      const gT = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMulBT(x as tf.Tensor2D, y as tf.Tensor2D), w)));
      const [ga, gb] = g([ta, tb]);
      const [gaT, gbT] = gT([ta, tbT]);
      return [matMul(ta, tb), ga, gb, matMulBT(ta, tbT), gaT, gbT].map((t) => t.arraySync() as number[][]);
    });
    expect(value).toEqual([
      [5, 8],
      [14, 14],
    ]);
    expect(valueT).toEqual(value);
    // dA = up . B^T, dB = A^T . up
    expect(da).toEqual([
      [-1, 2, 6],
      [-1, 6, 12],
    ]);
    expect(db).toEqual([
      [13, 18],
      [17, 24],
      [21, 30],
    ]);
    expect(daT).toEqual(da);
    expect(dbT).toEqual([
      [13, 17, 21],
      [18, 24, 30],
    ]);
  });
});

describe('exactReconstructionLoss', () => {
  it('gives the same value and gradients in one chunk or many, and matches the op-by-op formula', () => {
    const u = 5;
    const n = 7;
    const h = 3;
    const values = (count: number, seed: number): number[] => Array.from({ length: count }, (_, i) => Math.sin(seed * 13.1 + i * 1.7));
    const mask = Float32Array.from({ length: u * n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const run = (chunkFloats: number): number[][] =>
      tf.tidy(() => {
        const x = tf.tensor2d(values(u * h, 1), [u, h]);
        const w = tf.tensor2d(values(n * h, 2), [n, h]);
        const b = tf.tensor1d(values(n, 3));
        const f = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor): tf.Scalar =>
          exactReconstructionLoss(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D, mask, 0.2, chunkFloats);
        const { value, grads } = tf.valueAndGrads(f)([x, w, b]);
        const naive = tf.tidy(() => {
          const m = tf.tensor2d(mask, [u, n]);
          const s = tf.sigmoid(tf.add(tf.matMul(x, tf.transpose(w)), b));
          return tf.sum(tf.mul(tf.add(tf.mul(m, 0.96), 0.04), tf.square(tf.sub(m, s))));
        });
        return [[value.dataSync()[0], naive.dataSync()[0]], ...grads.map((g) => Array.from(g.dataSync()))];
      });
    const whole = run(1 << 22);
    const chunked = run(2 * n); // two rows per chunk: three chunks
    expect(whole[0][0]).toBeCloseTo(whole[0][1], 4);
    chunked.forEach((part, i) => part.forEach((v, j) => expect(v).toBeCloseTo(whole[i][j], 5)));
  });
});

describe('pairLogits', () => {
  it('equals the selected entries of x . wT^T + b, with the same gradients in one chunk or many', () => {
    const rows = Int32Array.of(0, 0, 1, 2, 2, 2);
    const cols = Int32Array.of(1, 3, 0, 0, 2, 3);
    const run = (chunkFloats: number): number[][] =>
      tf.tidy(() => {
        const x = tf.tensor2d([1, 2, -1, 0.5, 3, 1], [3, 2]);
        const w = tf.tensor2d([0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8], [4, 2]);
        const b = tf.tensor1d([0.01, 0.02, 0.03, 0.04]);
        const up = tf.tensor1d([1, 2, 3, 4, 5, 6]);
        const f = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor): tf.Scalar =>
          tf.sum(tf.mul(pairLogits(p as tf.Tensor2D, q as tf.Tensor2D, r as tf.Tensor1D, rows, cols, chunkFloats), up));
        const { value, grads } = tf.valueAndGrads(f)([x, w, b]);
        const full = tf.add(tf.matMul(x, tf.transpose(w)), b).arraySync() as number[][];
        const picked = Array.from(rows, (r, e) => full[r][cols[e]]);
        const logits = pairLogits(x, w, b, rows, cols, chunkFloats).arraySync() as number[];
        return [logits, picked, [value.dataSync()[0]], ...grads.map((g) => Array.from(g.dataSync()))];
      });
    const whole = run(1 << 22);
    whole[0].forEach((v, e) => expect(v).toBeCloseTo(whole[1][e], 5));
    const chunked = run(4); // two pairs per chunk (h = 2)
    chunked.forEach((part, i) => part.forEach((v, j) => expect(v).toBeCloseTo(whole[i][j], 5)));
    // d/db_c = sum of the upstream weights of the pairs in column c.
    expect(whole[5]).toEqual([3 + 4, 1, 5, 2 + 6]);
  });
});

describe('Adam', () => {
  it('makes the same updates as tf.train.adam, one variable at a time', () => {
    const start = [0.5, -1, 2];
    const ours = tf.variable(tf.tensor1d(start));
    const theirs = tf.variable(tf.tensor1d(start));
    const adam = new Adam([ours], { learningRate: 0.1 });
    const reference: tf.Optimizer = tf.train.adam(0.1, 0.9, 0.999, 1e-7);
    for (let step = 0; step < 5; step++) {
      const g = [step + 1, -2 * step, 0.5];
      adam.apply({ [ours.name]: tf.tensor1d(g) });
      tf.tidy(() => reference.applyGradients({ [theirs.name]: tf.tensor1d(g) }));
    }
    // tfjs accumulates beta^t in float32, we in float64: differences of a few 1e-6.
    Array.from(ours.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(theirs.dataSync()[i], 4));
    expect(adam.iterations).toBe(5);
    adam.dispose();
    reference.dispose();
    ours.dispose();
    theirs.dispose();
  });
});

describe('batchedGram and the registered exp / log / div gradients', () => {
  it('match finite differences through a log-sum-exp of a scaled Gram matrix', () => {
    const x0 = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => Math.sin(i + 1) * 0.7);
    const f = (x: tf.Tensor): tf.Scalar => {
      const g = batchedGram(tf.reshape(x, [2, 3, 2]) as tf.Tensor3D);
      const e = tf.exp(tf.div(g, tf.add(tf.sum(tf.square(x)), 1)));
      return tf.sum(tf.log(tf.add(tf.sum(e, 2), 1))) as tf.Scalar;
    };
    const analytic = tf.tidy(() => tf.grad(f)(tf.tensor1d(x0)).dataSync().slice());
    const value = (v: Float32Array): number => tf.tidy(() => f(tf.tensor1d(v)).dataSync()[0]);
    const eps = 1e-2;
    x0.forEach((_, i) => {
      const plus = x0.slice();
      const minus = x0.slice();
      plus[i] += eps;
      minus[i] -= eps;
      expect(analytic[i]).toBeCloseTo((value(plus) - value(minus)) / (2 * eps), 2);
    });
  });
});

describe('RowTable (lazy Adam)', () => {
  it('updates the touched rows exactly as Adam does and leaves the others alone', () => {
    const values = Float32Array.from({ length: 4 * 2 }, (_, i) => i / 10);
    const table = new RowTable('t', 4, 2, values.slice(), true);
    const variable = tf.variable(tf.tensor2d(values, [4, 2]));
    const adam = new Adam([variable], { learningRate: 0.1 });
    for (let step = 1; step <= 3; step++) {
      const grad = Float32Array.from([step, -1, 0.5, 2 * step]);
      table.update(Int32Array.of(1, 3), grad, { ...ADAM_DEFAULTS, learningRate: 0.1 }, step);
      const dense = new Float32Array(8);
      dense.set(grad.subarray(0, 2), 2);
      dense.set(grad.subarray(2, 4), 6);
      adam.apply({ [variable.name]: tf.tensor2d(dense, [4, 2]) });
    }
    const expected = variable.dataSync();
    Array.from(table.values).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    expect(Array.from(table.gather(Int32Array.of(0, 2)).dataSync())).toEqual([values[0], values[1], values[4], values[5]].map((v) => Math.fround(v)));
    adam.dispose();
    variable.dispose();
  });
});

describe('sparseDense with row scales (sampled neighbours)', () => {
  // W rows 0..2 (2 columns); segment 0 sums rows 0 and 2, segment 1 sums row 1.
  const w = [
    [0.1, -0.2],
    [0.3, 0.4],
    [-0.5, 0.6],
  ];
  const plan = segmentPlan(Int32Array.of(0, 2, 1), Int32Array.of(0, 0, 1), 3, 2);
  const scale = Float32Array.of(3, 0.5);
  const bias = [0.05, -0.1];

  it('scales each output row before the bias and the activation, and its gradient by the same factor', () => {
    const run = (scaled: boolean): { y: number[][]; g: number[][] } =>
      tf.tidy(() => {
        const wt = tf.tensor2d(w);
        const b = tf.tensor1d(bias);
        const f = (x: tf.Tensor): tf.Scalar =>
          tf.sum(
            tf.mul(
              sparseDense(x as tf.Tensor2D, plan, b, 'sigmoid', scaled ? scale : null),
              tf.tensor2d([
                [1, 2],
                [3, 4],
              ]),
            ),
          );
        const y = sparseDense(wt, plan, b, 'sigmoid', scaled ? scale : null).arraySync();
        const g = (tf.grad(f)(wt) as tf.Tensor2D).arraySync();
        return { y, g };
      });
    const got = run(true);
    // By hand: z = scale * (sum of rows) + b, y = sigmoid(z), dL/dW_row = sum over its segments of scale * dL/dz.
    const sig = (x: number): number => 1 / (1 + Math.exp(-x));
    const z = [
      [3 * (0.1 - 0.5) + 0.05, 3 * (-0.2 + 0.6) - 0.1],
      [0.5 * 0.3 + 0.05, 0.5 * 0.4 - 0.1],
    ];
    const upstream = [
      [1, 2],
      [3, 4],
    ];
    const dz = z.map((row, r) => row.map((v, c) => upstream[r]![c]! * sig(v) * (1 - sig(v))));
    z.forEach((row, r) => row.forEach((v, c) => expect(got.y[r]![c]).toBeCloseTo(sig(v), 5)));
    const expected = [dz[0]!.map((v) => 3 * v), dz[1]!.map((v) => 0.5 * v), dz[0]!.map((v) => 3 * v)];
    expected.forEach((row, r) => row.forEach((v, c) => expect(got.g[r]![c]).toBeCloseTo(v, 5)));
    // Without scales the same op is the plain sum (scale 1).
    const plain = run(false);
    expect(plain.y[1]![0]).toBeCloseTo(sig(0.3 + 0.05), 5);
  });

  it('refuses row scales of the wrong length', () => {
    expect(() => sparseDense(tf.tensor2d(w), plan, tf.tensor1d(bias), 'sigmoid', Float32Array.of(1))).toThrow(/expected 2 row scales/);
  });
});
