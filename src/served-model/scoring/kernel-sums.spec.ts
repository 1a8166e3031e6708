import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../model/rng';
import { useTestBackend } from '../../model/testing/use-test-backend';
import { kernelSums, type KernelSumsInput } from './kernel-sums';

describe('kernelSums', () => {
  const rng = new Rng(5);
  const d = 8;
  const count = 30;
  const r = 12;
  const x = Float64Array.from({ length: count * d }, () => rng.normal());
  const h = Float64Array.from({ length: r * d }, () => rng.normal());
  const hNorms = Float64Array.from({ length: r }, (_, p) => h.subarray(p * d, (p + 1) * d).reduce((s, v) => s + v * v, 0));
  const weights = Float32Array.from({ length: r }, (_, p) => 2 ** (-p / 4));
  const input: KernelSumsInput = { x: [x, x.map((v) => -v)], count, h: [h, h], hNorms: [hNorms, hNorms], weights, r, d, tau: 1.5 };

  it('sums the weighted kernels of each candidate against the history', () => {
    const out = [new Float64Array(count), new Float64Array(count)];
    kernelSums(input, out);
    for (const k of [0, 1]) {
      for (const c of [0, 7, 29]) {
        let expected = 0;
        for (let p = 0; p < r; p++) {
          let dist = 0;
          for (let t = 0; t < d; t++) dist += (input.x[k]![c * d + t]! - h[p * d + t]!) ** 2;
          expected += weights[p]! * Math.exp(-dist / 1.5);
        }
        expect(out[k]![c]).toBeCloseTo(expected, 10);
      }
    }
  });

  it('gives the same sums on the wasm backend (float32 products) and frees its tensors', async () => {
    await useTestBackend();
    const plain = [new Float64Array(count), new Float64Array(count)];
    kernelSums(input, plain, Infinity);
    const before = tf.memory().numTensors;
    const dense = [new Float64Array(count), new Float64Array(count)];
    kernelSums(input, dense, 0);
    expect(tf.memory().numTensors).toBe(before);
    dense.forEach((sums, k) => sums.forEach((v, c) => expect(v).toBeCloseTo(plain[k]![c]!, 4)));
  });
});
