import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from './gradients';
import { gatherPlan, matMul, matMulBT, segmentPlan, segmentSum } from './sparse-ops';
import { useWasmBackend } from './testing/use-wasm';

beforeAll(async () => {
  await useWasmBackend();
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
      return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(segmentSum(x as tf.Tensor2D, plan), weights)))(tf.tensor2d(data)).arraySync();
    });
    // data 0 feeds segment 0; data 2 feeds segments 0 and 2; data 3 feeds segment 2; data 1 nothing.
    expect(grad).toEqual([
      [1, 10],
      [0, 0],
      [3, 30],
      [2, 20],
    ]);
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
