import * as tf from '@tensorflow/tfjs-core';
import { EranModel, buildEran, buildEranFor, computeItemCodes, encodeNewItem, eranLoss, freezeEran, prepareBatch, TripletBatch } from './eran-model';
import { userAttentionProfile } from './explain';
import { foldInUser } from './fold-in';
import type { CsrAdjacency, GraphData } from './graph-data';
import { BuildEranOptions, resolveEranConfig } from './options';
import { Rng } from './rng';
import { plantedGraph } from './testing/planted-graph';
import { symmetricCsr } from './testing/attribute-networks';
import { Adam } from './adam';
import { TripletSampler } from './sampler';
import { expectedTestBackendName, useTestBackend } from './testing/use-test-backend';
import { evaluateLoss, trainEran, trainStep, TrainResult } from './trainer';

beforeAll(async () => {
  const backend = await useTestBackend();
  expect(backend.name).toBe(expectedTestBackendName());
});

/** 8 items, 2 kinds, 4 users: small enough for finite differences. */
function tinyData(): GraphData {
  const ring = (kind: string, step: number): CsrAdjacency => {
    const a: number[] = [];
    const b: number[] = [];
    const w: number[] = [];
    for (let i = 0; i < 8; i++) {
      const j = (i + step) % 8;
      const [x, y] = i < j ? [i, j] : [j, i];
      if (!a.some((v, e) => v === x && b[e] === y)) {
        a.push(x);
        b.push(y);
        w.push(1);
      }
    }
    const order = a.map((_, e) => e).sort((p, q) => a[p] - a[q] || b[p] - b[q]);
    return symmetricCsr(
      kind,
      8,
      order.map((e) => a[e]),
      order.map((e) => b[e]),
      order.map((e) => w[e]),
    );
  };
  return {
    itemIds: Array.from({ length: 8 }, (_, i) => `i${i}`),
    userIds: ['u0', 'u1', 'u2', 'u3'],
    networks: [ring('actor', 1), ring('genre', 3)],
    userItems: [Int32Array.of(0, 1, 2), Int32Array.of(2, 5), Int32Array.of(3, 4, 6), Int32Array.of(1, 7)],
  };
}

const tinyBatch: TripletBatch = {
  users: Int32Array.of(0, 0, 1, 2, 3, 2),
  anchors: Int32Array.of(0, 1, 2, 3, 1, 6),
  positives: Int32Array.of(1, 2, 5, 4, 7, 3),
  negatives: Int32Array.of(5, 6, 0, 1, 3, 7),
};

function gradientCheck(options: Partial<BuildEranOptions>): { worst: number; checked: number } {
  const data = tinyData();
  const model = buildEranFor(data, { hidden: [5, 3], alpha: 2, seed: 3, userInitStd: 0.5, ...options });
  const batch = prepareBatch(model, data.networks, tinyBatch, new Rng(9));
  const variables = model.trainableVariables();
  const { grads, value } = tf.variableGrads(() => eranLoss(model, batch).total, variables);
  value.dispose();
  const rng = new Rng(5);
  const eps = 1e-2;
  let worst = 0;
  let checked = 0;
  for (const v of variables) {
    const analytic = grads[v.name].dataSync();
    const base = v.dataSync().slice();
    for (let probe = 0; probe < 4; probe++) {
      const idx = rng.int(base.length);
      const at = (delta: number): number => {
        const shifted = base.slice();
        shifted[idx] += delta;
        tf.tidy(() => v.assign(tf.tensor(shifted, v.shape)));
        return evaluateLoss(model, batch).total;
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
      // float32 losses of order 10: central differences carry ~1e-4 rounding and O(eps^2) truncation.
      const error = Math.abs(numeric - analytic[idx]) / (2e-3 + 2e-2 * Math.abs(numeric));
      worst = Math.max(worst, error);
      checked++;
    }
  }
  tf.dispose(grads);
  model.dispose();
  return { worst, checked };
}

describe('gradients (finite differences on a tiny model)', () => {
  it.each([
    ['eran, exact reconstruction', {}],
    ['eran, sampled reconstruction', { reconstruction: 'sampled', sampledColumns: 3, sampledMaxDensity: 1 }],
    ['eran, sampled reconstruction with capped non-zeros', { reconstruction: 'sampled', sampledColumns: 3, sampledMaxDensity: 1, sampledMaxNonzeros: 4 }],
    ['eran with item bias, tanh', { itemBias: true, activation: 'tanh' }],
    ['eran-l1', { variant: 'eran-l1' }],
  ] as Array<[string, Partial<BuildEranOptions>]>)('%s: analytic gradient matches', (_, options) => {
    const { worst, checked } = gradientCheck(options);
    expect(checked).toBeGreaterThan(20);
    // Measured worst: about 0.06; a 5% error injected in the segment-sum backward gives 2 to 5.
    expect(worst).toBeLessThan(0.5);
  });
});

describe('sampled reconstruction', () => {
  it.each([
    ['all non-zeros, sampled zero columns', 1000],
    ['capped non-zeros as well', 5],
  ])('is an unbiased estimate of the exact loss: %s', (_, cap) => {
    const data = tinyData();
    const shape = { hidden: [5, 3], seed: 3, variant: 'eran-l2' } as const;
    const exact = buildEranFor(data, shape);
    const sampled = buildEranFor(data, { ...shape, reconstruction: 'sampled', sampledColumns: 2, sampledMaxDensity: 1, sampledMaxNonzeros: cap });
    const exactNet = evaluateLoss(exact, prepareBatch(exact, data.networks, tinyBatch, new Rng(1))).net;
    const rng = new Rng(2);
    let sum = 0;
    const draws = 400;
    for (let t = 0; t < draws; t++) sum += evaluateLoss(sampled, prepareBatch(sampled, data.networks, tinyBatch, rng)).net;
    expect(Math.abs(sum / draws - exactNet) / exactNet).toBeLessThan(0.03);
    exact.dispose();
    sampled.dispose();
  });
});

describe('training on a planted graph', () => {
  const planted = plantedGraph({ numItems: 150, numUsers: 120, seed: 3 });
  const options: Partial<BuildEranOptions> = { hidden: [32, 8], batchSize: 256, learningRate: 0.01 };
  let model: EranModel;
  let result: TrainResult;

  beforeAll(async () => {
    model = buildEranFor(planted.data, options);
    result = await trainEran(model, planted.data, { epochs: 30 });
  });
  afterAll(() => model.dispose());

  it('lowers both loss terms', () => {
    const first = result.epochs[0].loss;
    const last = result.epochs[result.epochs.length - 1].loss;
    expect(last.total).toBeLessThan(0.7 * first.total);
    expect(last.net).toBeLessThan(0.5 * first.net);
    expect(last.rank).toBeLessThan(0.8 * first.rank);
  });

  it('puts most of each user attention on the planted driver kind (chance: 1/3)', () => {
    const emb = freezeEran(model, planted.data.networks);
    let recovered = 0;
    let recoveredByFoldIn = 0;
    const users = planted.data.userIds.length;
    const argmax = (weights: Array<{ weight: number }>): number => weights.reduce((b, w, k) => (w.weight > weights[b].weight ? k : b), 0);
    for (let u = 0; u < users; u++) {
      if (argmax(userAttentionProfile(emb, u, planted.data.userItems[u])) === planted.driver[u]) recovered++;
      // A "new user" with the same purchases: z fitted from the history alone.
      const z = foldInUser(emb, planted.data.userItems[u]);
      if (argmax(userAttentionProfile(emb, z, planted.data.userItems[u])) === planted.driver[u]) recoveredByFoldIn++;
    }
    // Measured on this fixture: 118/120 (98%) from the learned z_u, 119/120 (99%) by fold-in.
    expect(recovered / users).toBeGreaterThanOrEqual(0.8);
    expect(recoveredByFoldIn / users).toBeGreaterThanOrEqual(0.7);
  });

  it('is reproducible: the same seed gives the same losses, another seed does not', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const m = buildEranFor(planted.data, { ...options, seed });
      const r = await trainEran(m, planted.data, { epochs: 2 });
      m.dispose();
      return r.epochs.map((e) => e.loss.total);
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('keeps the best weights under early stopping', async () => {
    const m = buildEranFor(planted.data, { ...options, seed: 5 });
    const metrics = [0.1, 0.5, 0.2, 0.3, 0.25];
    let snapshot: Float32Array | null = null;
    const r = await trainEran(m, planted.data, {
      epochs: 10,
      patience: 3,
      validate: (mm, epoch) => {
        if (epoch === 2) snapshot = mm.users.dataSync().slice() as Float32Array;
        return metrics[epoch - 1];
      },
    });
    expect(r.stopReason).toBe('patience');
    expect(r.bestEpoch).toBe(2);
    expect(r.restoredBest).toBe(true);
    expect(m.users.dataSync()).toEqual(snapshot);
    m.dispose();
  });
});

describe('memory', () => {
  it('leaks no tensor across a training step', () => {
    const planted = plantedGraph({ numItems: 60, numUsers: 30, seed: 1 });
    const model = buildEranFor(planted.data, { hidden: [16, 4], batchSize: 64, reconstruction: 'sampled', sampledColumns: 8, itemBias: true });
    const optimizer = new Adam(model.trainableVariables(), { learningRate: 0.01 });
    const rng = new Rng(1);
    const sampler = new TripletSampler(planted.data.userItems, 60, rng);
    const batch = (): ReturnType<typeof prepareBatch> => prepareBatch(model, planted.data.networks, sampler.batch(0, 64), rng);
    trainStep(model, optimizer, batch());
    const before = tf.memory().numTensors;
    for (let s = 0; s < 3; s++) trainStep(model, optimizer, batch());
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    model.dispose();
  });
});

describe('cold-start item encoding', () => {
  const planted = plantedGraph({ numItems: 60, numUsers: 40, seed: 2 });
  const model = (): EranModel => buildEranFor(planted.data, { hidden: [16, 4], seed: 1 });

  it('gives the same codes whatever the chunks (by items or by links)', () => {
    const m = model();
    const whole = computeItemCodes(m, planted.data.networks, 1_000_000, Infinity);
    const byLinks = computeItemCodes(m, planted.data.networks, 1_000_000, 7);
    const byItems = computeItemCodes(m, planted.data.networks, 3);
    whole.forEach((c, k) => {
      Array.from(c).forEach((v, i) => expect(byLinks[k]![i]).toBeCloseTo(v, 6));
      Array.from(c).forEach((v, i) => expect(byItems[k]![i]).toBeCloseTo(v, 6));
    });
    m.dispose();
  });

  it('equals the encoder output for the same adjacency row and ignores other items rows', () => {
    const m = model();
    const x = 10;
    const links = planted.data.networks.map((net) => net.indices.slice(net.indptr[x], net.indptr[x + 1]));
    const viaNew = encodeNewItem(m, links);
    const codes = computeItemCodes(m, planted.data.networks);
    // Equal up to summation order: the native backend's segment sums may add in another order.
    const close = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));
    codes.forEach((c, k) => close(viaNew[k], c.slice(x * m.dim, (x + 1) * m.dim)));
    // Rewire every other item: drop all edges that do not touch x. x's code must not change.
    const onlyX = planted.data.networks.map((net) => {
      const a: number[] = [];
      const b: number[] = [];
      const w: number[] = [];
      for (const c of net.indices.slice(net.indptr[x], net.indptr[x + 1])) {
        a.push(Math.min(x, c));
        b.push(Math.max(x, c));
        w.push(1);
      }
      const order = a.map((_, e) => e).sort((p, q) => a[p] - a[q] || b[p] - b[q]);
      return symmetricCsr(
        net.kind,
        net.n,
        order.map((e) => a[e]),
        order.map((e) => b[e]),
        order.map((e) => w[e]),
      );
    });
    const rewired = computeItemCodes(m, onlyX);
    rewired.forEach((c, k) => close(c.slice(x * m.dim, (x + 1) * m.dim), viaNew[k]));
    m.dispose();
  });

  it('changes when its own links change', () => {
    const m = model();
    const a = encodeNewItem(m, [[1, 2, 3], [4], []]);
    const b = encodeNewItem(m, [[1, 2, 3], [5], []]);
    expect(Array.from(a[0])).toEqual(Array.from(b[0]));
    expect(Array.from(a[1])).not.toEqual(Array.from(b[1]));
    expect(() => encodeNewItem(m, [[1], [2]])).toThrow(/expected neighbours for 3 kinds/);
    m.dispose();
  });
});

describe('options', () => {
  it('defaults to the paper (section 4.3) and explains invalid values', () => {
    const c = resolveEranConfig({ numItems: 10, numUsers: 2, kinds: ['a'] });
    expect(c).toMatchObject({ hidden: [1024, 256, 32], batchSize: 2000, learningRate: 0.001, alpha: 1500, beta: 0.2, variant: 'eran' });
    expect(() => buildEran({ numItems: 10, numUsers: 2, kinds: ['a'], beta: 2, hidden: [] })).toThrow(
      /beta: expected a number in \(0, 1\], got 2.*|hidden: expected a non-empty list/,
    );
    expect(() => resolveEranConfig({ numItems: 0, numUsers: 2, kinds: [] })).toThrow(
      /numItems: expected a positive integer, got 0; kinds: expected at least one/,
    );
  });

  it('fixes user embeddings to 1.0 in eran-l2', () => {
    const m = buildEran({ numItems: 5, numUsers: 2, kinds: ['a'], hidden: [4, 2], variant: 'eran-l2' });
    expect(Array.from(m.users.dataSync())).toEqual([1, 1, 1, 1]);
    expect(m.trainableVariables()).not.toContain(m.users);
    m.dispose();
  });
});
