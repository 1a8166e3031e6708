/**
 * Mixture scoring (scoring 'mixture'): hand-written gradients against finite differences, the
 * tfjs batch scores against the plain-TS serving scores, the explanation read off the score,
 * recency weights, and training on a planted graph (held-out item ranks, planted-driver attention).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EranEmbeddings } from './embeddings';
import { buildEranFor, freezeEran } from './eran-model';
import { explain } from './explain';
import { ensureGradients } from './gradients';
import { mixtureLossAndGrads, mixtureScores, type MixtureInputs } from './mixture';
import { mixtureScoresAll } from './mixture-scoring';
import { latestIndex, recencyWeights } from './recency';
import { Rng } from './rng';
import { scoreColdItem, scoreUser } from './scorer';
import { plantedGraph } from './testing/planted-graph';
import { expectedTestBackendName, useTestBackend } from './testing/use-test-backend';
import { trainEran } from './trainer';

beforeAll(async () => {
  const backend = await useTestBackend();
  expect(backend.name).toBe(expectedTestBackendName());
  ensureGradients();
});

const N = 7;
const D = 3;
const K = 2;
const B = 2;

function randomInputs(seed: number): { h: Float32Array[]; keys: Float32Array[]; z: Float32Array; bias: Float32Array; w: Float32Array; t: Float32Array } {
  const rng = new Rng(seed);
  const fill = (n: number, s = 0.5): Float32Array => Float32Array.from({ length: n }, () => rng.normal() * s);
  const w = new Float32Array(B * N);
  const t = new Float32Array(B * N);
  // user 0 bought 0, 2, 3 (weights 1, 0.5, 0.25); user 1 bought 1, 4, 5, 6
  [[0, 1], [2, 0.5], [3, 0.25]].forEach(([i, v]) => {
    w[i] = v;
    t[i] = 1;
  });
  [1, 4, 5, 6].forEach((i) => {
    w[N + i] = 1;
    t[N + i] = 1;
  });
  return { h: [fill(N * D), fill(N * D)], keys: [fill(N * D), fill(N * D)], z: fill(B * D), bias: fill(N), w, t };
}

function inputsOf(v: ReturnType<typeof randomInputs>, tau: number): MixtureInputs {
  return {
    h: v.h.map((a) => tf.tensor2d(a, [N, D])),
    keys: v.keys.map((a) => tf.tensor2d(a, [N, D])),
    z: tf.tensor2d(v.z, [B, D]),
    bias: tf.tensor1d(v.bias),
    history: tf.tensor2d(v.w, [B, N]),
    tau,
  };
}

describe('mixtureLossAndGrads', () => {
  it('matches finite differences for h, keys, z and the bias', () => {
    const v = randomInputs(3);
    const tau = 0.7;
    const loss = (x: ReturnType<typeof randomInputs>): number =>
      tf.tidy(() => mixtureLossAndGrads(inputsOf(x, tau), tf.tensor2d(x.t, [B, N])).loss.dataSync()[0]);
    const analytic = tf.tidy(() => {
      const g = mixtureLossAndGrads(inputsOf(v, tau), tf.tensor2d(v.t, [B, N]));
      return { h: g.h.map((t) => t.dataSync().slice()), keys: g.keys.map((t) => t.dataSync().slice()), z: g.z.dataSync().slice(), bias: g.bias!.dataSync().slice() };
    });
    const eps = 1e-2;
    const check = (get: (x: ReturnType<typeof randomInputs>) => Float32Array, grad: ArrayLike<number>): void => {
      for (let q = 0; q < grad.length; q += 2) {
        const plus = structuredClone(v);
        const minus = structuredClone(v);
        get(plus)[q] += eps;
        get(minus)[q] -= eps;
        const numeric = (loss(plus) - loss(minus)) / (2 * eps);
        expect(grad[q]).toBeCloseTo(numeric, 2);
      }
    };
    for (let k = 0; k < K; k++) {
      check((x) => x.h[k], analytic.h[k]);
      check((x) => x.keys[k], analytic.keys[k]);
    }
    check((x) => x.z, analytic.z);
    check((x) => x.bias, analytic.bias);
  });
});

function embeddingsFrom(v: ReturnType<typeof randomInputs>, tau: number): EranEmbeddings {
  // keys = codes, h = codes + e: e = h - keys.
  const e = new Float32Array(N * D);
  // With two kinds one e cannot make both h^k = code^k + e: use kind 0 to define e and set kind 1's h.
  for (let q = 0; q < N * D; q++) e[q] = v.h[0][q] - v.keys[0][q];
  const codes = [v.keys[0], Float32Array.from(v.h[1], (x, q) => x - e[q])];
  return {
    kinds: ['actor', 'genre'],
    numItems: N,
    numUsers: B,
    dim: D,
    codes,
    users: v.z,
    itemBias: v.bias,
    itemEmbedding: e,
    scoring: 'mixture',
    tau,
  };
}

describe('mixture serving', () => {
  const tau = 0.9;
  const v = randomInputs(8);
  v.keys[1] = Float32Array.from(v.h[1], (x, q) => x - (v.h[0][q] - v.keys[0][q]));
  const emb = embeddingsFrom(v, tau);
  const history = Int32Array.from([0, 2, 3]);
  const weights = Float32Array.from([1, 0.5, 0.25]);

  it('scores every item as the training forward pass does', () => {
    const batch = tf.tidy(() => mixtureScores(inputsOf(v, tau)).dataSync().slice());
    const plain = mixtureScoresAll(emb, v.z.subarray(0, D), history, weights);
    for (let x = 0; x < N; x++) expect(plain[x]).toBeCloseTo(batch[x], 3);
  });

  it('scores only the requested items when asked, with the same values', () => {
    const all = scoreUser(emb, 0, history);
    const some = scoreUser(emb, 0, history, { only: [5, 1] });
    expect(some[5]).toBeCloseTo(all[5], 6);
    expect(some[1]).toBeCloseTo(all[1], 6);
    expect(some[4]).toBe(-Infinity);
    expect(() => scoreUser(emb, 0, history, { only: [N] })).toThrow(/only: expected item indexes/);
  });

  it('weighs purchases by recency from their times, and masks the history', () => {
    const times = [300, 200, 100]; // item 0 latest
    const scores = scoreUser({ ...emb, recencyHalfLife: 1 }, 0, history, { times });
    const plain = mixtureScoresAll(emb, v.z.subarray(0, D), history, weights);
    for (const j of history) expect(scores[j]).toBe(-Infinity);
    for (const x of [1, 4, 5, 6]) expect(scores[x]).toBeCloseTo(plain[x], 5);
    const unweighted = scoreUser(emb, 0, history);
    expect(unweighted[1]).not.toBeCloseTo(scores[1], 5);
  });

  it('explains with the largest contribution: removing the anchor lowers the score more than removing any other purchase', () => {
    for (const item of [1, 4, 5, 6]) {
      const ex = explain(emb, 0, history, item);
      expect(ex.anchor).not.toBeNull();
      expect(ex.attention.reduce((a, k) => a + k.weight, 0)).toBeCloseTo(1, 6);
      const full = scoreUser(emb, 0, history)[item];
      const drops = Array.from(history, (j) => full - scoreUser(emb, 0, history.filter((x) => x !== j))[item]);
      const anchorDrop = drops[Array.from(history).indexOf(ex.anchor!)];
      expect(anchorDrop).toBeGreaterThan(0);
      for (const drop of drops) expect(anchorDrop).toBeGreaterThanOrEqual(drop - 1e-9);
    }
  });

  it('scores a cold item from its codes alone with the same rule', () => {
    const item = 4;
    const codes = emb.codes.map((c) => c.slice(item * D, (item + 1) * D));
    const cold = scoreColdItem({ ...emb, itemEmbedding: null }, 0, history, codes);
    const warm = scoreUser({ ...emb, itemEmbedding: null, itemBias: null }, 0, history)[item];
    expect(cold).toBeCloseTo(warm, 5);
  });
});

describe('recency', () => {
  it('halves the weight every halfLife purchases back, unknown times oldest', () => {
    const w = recencyWeights([10, 30, NaN, 20], 4, 1);
    expect(Array.from(w)).toEqual([0.25, 1, 0.125, 0.5]);
    expect(Array.from(recencyWeights([1, 2], 2, 0))).toEqual([1, 1]);
    expect(latestIndex([5, 9, 9, 1], 4, () => 0)).toBe(2);
    expect(latestIndex(undefined, 4, () => 0.6)).toBe(2);
  });
});

describe('trainMixture on a planted graph', () => {
  it('ranks held-out items far above chance, recovers planted drivers, and leaks no tensors', async () => {
    const planted = plantedGraph({ numItems: 90, numUsers: 60, seed: 11, holdOut: true });
    const model = buildEranFor(planted.data, { hidden: [16, 8], scoring: 'mixture', itemBias: true, itemEmbedding: true, itemInitStd: 0.1, learningRate: 0.03, tau: 1, seed: 2 });
    const before = tf.memory().numTensors;
    const result = await trainEran(model, planted.data, { epochs: 25, seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.bestEpoch).not.toBeNull();
    const emb = freezeEran(model, planted.data.networks);
    model.dispose();
    let hits = 0;
    let users = 0;
    let driverMatches = 0;
    for (let u = 0; u < planted.data.userIds.length; u++) {
      const target = planted.heldOut[u];
      if (target < 0) continue;
      users++;
      const scores = scoreUser(emb, u, planted.data.userItems[u]);
      const better = scores.filter((s) => s > scores[target]).length;
      if (better < 10) hits++;
      const ex = explain(emb, u, planted.data.userItems[u], target);
      if (ex.attention.reduce((best, a, k) => (a.weight > ex.attention[best].weight ? k : best), 0) === planted.driver[u]) driverMatches++;
    }
    // chance of a top-10 hit among ~80 candidates: 12%
    expect(hits / users).toBeGreaterThan(0.4);
    // attention on the target: chance 1/3
    expect(driverMatches / users).toBeGreaterThan(0.34);
  }, 120_000);
});
