/**
 * The switchable improvements (options scoring, rankLoss, itemEmbedding): kernel scoring against a
 * naive loop, the user-level loss' gradient by finite differences, the kernel explanation anchor,
 * training on a planted graph, no tensor leaks, and the checkpoint round trip.
 */
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Adam } from './adam';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import type { EranEmbeddings } from './embeddings';
import { EranModel, UserBatch, buildEranFor, eranLoss, freezeEran, kernelLogSumExp, prepareUserBatch } from './eran-model';
import { explain } from './explain';
import { ensureGradients } from './gradients';
import type { CsrAdjacency, GraphData } from './graph-data';
import { BuildEranOptions, resolveEranConfig } from './options';
import { Rng } from './rng';
import { UserSampler } from './sampler';
import { scoreColdItem, scoreUser } from './scorer';
import { gatherPlan, segmentPlan } from './sparse-ops';
import { symmetricCsr } from './testing/attribute-networks';
import { plantedGraph } from './testing/planted-graph';
import { expectedTestBackendName, useTestBackend } from './testing/use-test-backend';
import { evaluateLoss, trainEran, trainStep } from './trainer';

beforeAll(async () => {
  const backend = await useTestBackend();
  expect(backend.name).toBe(expectedTestBackendName());
  ensureGradients();
});

function randomEmbeddings(seed: number, options: { itemEmbedding?: boolean; itemBias?: boolean; tau?: number } = {}): EranEmbeddings {
  const rng = new Rng(seed);
  const numItems = 12;
  const numUsers = 3;
  const dim = 4;
  const fill = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal());
  return {
    kinds: ['actor', 'genre'],
    numItems,
    numUsers,
    dim,
    codes: [fill(numItems * dim), fill(numItems * dim)],
    users: fill(numUsers * dim),
    itemBias: options.itemBias ? fill(numItems) : null,
    itemEmbedding: options.itemEmbedding ? fill(numItems * dim) : null,
    scoring: 'kernel',
    tau: options.tau ?? 2,
  };
}

/** h_ui by hand: softmax over kinds of h^k_i . z_u, mixture of codes, plus e_i. */
function naiveRep(emb: EranEmbeddings, u: number, i: number): number[] {
  const d = emb.dim;
  const z = Array.from(emb.users.slice(u * d, (u + 1) * d));
  const logits = emb.codes.map((c) => z.reduce((s, zt, t) => s + zt * c[i * d + t], 0));
  const m = Math.max(...logits);
  const w = logits.map((l) => Math.exp(l - m));
  const total = w.reduce((a, b) => a + b, 0);
  const h = new Array<number>(d).fill(0);
  emb.codes.forEach((c, k) => {
    for (let t = 0; t < d; t++) h[t] += (w[k] / total) * c[i * d + t];
  });
  if (emb.itemEmbedding) for (let t = 0; t < d; t++) h[t] += emb.itemEmbedding[i * d + t];
  return h;
}

const dist2 = (a: number[], b: number[]): number => a.reduce((s, v, t) => s + (v - b[t]) ** 2, 0);

describe('kernel scoring', () => {
  it.each([
    ['codes only', {}],
    ['item vectors and bias', { itemEmbedding: true, itemBias: true }],
    ['tau 0.5', { itemEmbedding: true, tau: 0.5 }],
  ])('equals a naive loop: %s', (_, options) => {
    const emb = randomEmbeddings(3, options);
    const tau = emb.tau!;
    const history = [1, 4, 7, 9];
    const scores = scoreUser(emb, 1, history);
    for (let x = 0; x < emb.numItems; x++) {
      if (history.includes(x)) {
        expect(scores[x]).toBe(-Infinity);
        continue;
      }
      const hx = naiveRep(emb, 1, x);
      const sum = history.reduce((s, j) => s + Math.exp(-dist2(hx, naiveRep(emb, 1, j)) / tau), 0);
      const expected = tau * Math.log(sum) + (emb.itemBias ? emb.itemBias[x] : 0);
      expect(scores[x]).toBeCloseTo(expected, 3);
    }
  });

  it('is stable for far-away items (no exp underflow) and gives b_x for an empty history', () => {
    const emb = randomEmbeddings(4, { itemEmbedding: true, itemBias: true, tau: 0.01 });
    const scores = scoreUser(emb, 0, [2, 3]);
    for (let x = 0; x < emb.numItems; x++) if (x !== 2 && x !== 3) expect(Number.isFinite(scores[x])).toBe(true);
    const empty = scoreUser(emb, 0, []);
    for (let x = 0; x < emb.numItems; x++) expect(empty[x]).toBeCloseTo(emb.itemBias![x], 5);
  });

  it('scores a cold item (codes, e = 0) with the kernel aggregate by default', () => {
    const emb = randomEmbeddings(5, { itemEmbedding: true });
    const cold = [Float32Array.of(0.1, 0.2, 0.3, 0.4), Float32Array.of(-0.5, 0, 0.5, 1)];
    const history = [0, 5, 6];
    const z = Array.from(emb.users.slice(0, 4));
    const logits = cold.map((c) => z.reduce((s, zt, t) => s + zt * c[t], 0));
    const m = Math.max(...logits);
    const w = logits.map((l) => Math.exp(l - m));
    const hx = [0, 1, 2, 3].map((t) => (w[0] * cold[0][t] + w[1] * cold[1][t]) / (w[0] + w[1]));
    const expected = 2 * Math.log(history.reduce((s, j) => s + Math.exp(-dist2(hx, naiveRep(emb, 0, j)) / 2), 0));
    expect(scoreColdItem(emb, 0, history, cold)).toBeCloseTo(expected, 3);
  });

  it('gives items appended after training (no learned vector) e = 0 instead of reading past the array', () => {
    const emb = randomEmbeddings(7, { itemEmbedding: true });
    const d = emb.dim;
    const grown: EranEmbeddings = { ...emb, numItems: emb.numItems + 1, codes: emb.codes.map((c) => Float32Array.from([...c, 0.1, 0.2, 0.3, 0.4])) };
    const scores = scoreUser(grown, 0, [1, 2]);
    expect(Number.isFinite(scores[emb.numItems])).toBe(true);
    const cold = emb.codes.map(() => Float32Array.of(0.1, 0.2, 0.3, 0.4));
    expect(scores[emb.numItems]).toBeCloseTo(scoreColdItem(emb, 0, [1, 2], cold), 4);
    expect(d).toBe(4);
  });

  it('explains with j* = the largest kernel term', () => {
    const emb = randomEmbeddings(6, { itemEmbedding: true, itemBias: true });
    const history = [0, 2, 3, 8, 10];
    for (const item of [1, 4, 5, 11]) {
      const hx = naiveRep(emb, 2, item);
      const terms = history.map((j) => Math.exp(-dist2(hx, naiveRep(emb, 2, j)) / emb.tau!));
      const best = history[terms.indexOf(Math.max(...terms))];
      const e = explain(emb, 2, history, item);
      expect(e.anchor).toBe(best);
      expect(e.anchorSimilarity).toBeCloseTo(-dist2(hx, naiveRep(emb, 2, best)), 3);
    }
  });
});

describe('kernelLogSumExp', () => {
  it('matches tau log sum exp(-d / tau) per segment and its gradient is minus the softmax', () => {
    const dist = [0.5, 3, 1, 40, 41, 2];
    const segment = Int32Array.of(0, 0, 0, 1, 1, 3);
    const plan = segmentPlan(Int32Array.from(dist.map((_, e) => e)), segment, dist.length, 4);
    const expand = gatherPlan(segment, 4);
    const tau = 2;
    const x = tf.tensor1d(dist);
    const out = tf.tidy(() => kernelLogSumExp(x as tf.Tensor1D, plan, expand, tau));
    const values = out.dataSync();
    const lse = (ds: number[]): number => tau * Math.log(ds.reduce((s, d) => s + Math.exp(-d / tau), 0));
    expect(values[0]).toBeCloseTo(lse([0.5, 3, 1]), 4);
    expect(values[1]).toBeCloseTo(lse([40, 41]), 3);
    expect(values[2]).toBe(0);
    expect(values[3]).toBeCloseTo(lse([2]), 4);
    const g = tf
      .grad((d: tf.Tensor) => tf.sum(kernelLogSumExp(d as tf.Tensor1D, plan, expand, tau)))(x)
      .dataSync();
    const soft = (ds: number[], i: number): number => Math.exp(-ds[i] / tau) / ds.reduce((s, d) => s + Math.exp(-d / tau), 0);
    expect(g[0]).toBeCloseTo(-soft([0.5, 3, 1], 0), 4);
    expect(g[3]).toBeCloseTo(-soft([40, 41], 0), 4);
    expect(g[5]).toBeCloseTo(-1, 5);
    tf.dispose([x, out]);
  });
});

/** 8 items, 2 kinds, 4 users (as in eran-model.spec). */
function tinyData(): GraphData {
  const ring = (kind: string, step: number): CsrAdjacency => {
    const pairs = new Map<string, [number, number]>();
    for (let i = 0; i < 8; i++) {
      const j = (i + step) % 8;
      const [x, y] = i < j ? [i, j] : [j, i];
      pairs.set(`${x},${y}`, [x, y]);
    }
    const list = [...pairs.values()].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    return symmetricCsr(
      kind,
      8,
      list.map((p) => p[0]),
      list.map((p) => p[1]),
      list.map(() => 1),
    );
  };
  return {
    itemIds: Array.from({ length: 8 }, (_, i) => `i${i}`),
    userIds: ['u0', 'u1', 'u2', 'u3'],
    networks: [ring('actor', 1), ring('genre', 3)],
    userItems: [Int32Array.of(0, 1, 2), Int32Array.of(2, 5), Int32Array.of(3, 4, 6), Int32Array.of(1, 7)],
  };
}

/** Users 0, 2, 1 with their histories; pairs (group, flat row of i, n). */
const tinyUserBatch: UserBatch = {
  users: Int32Array.of(0, 2, 1),
  offsets: Int32Array.of(0, 3, 6, 8),
  historyItems: Int32Array.of(0, 1, 2, 3, 4, 6, 2, 5),
  pairGroup: Int32Array.of(0, 0, 1, 1, 2),
  positiveRows: Int32Array.of(0, 2, 3, 5, 7),
  negatives: Int32Array.of(5, 7, 0, 1, 3),
};

function userGradientCheck(options: Partial<BuildEranOptions>): { worst: number; checked: number } {
  const data = tinyData();
  const model = buildEranFor(data, { hidden: [5, 3], alpha: 2, seed: 3, userInitStd: 0.5, rankLoss: 'user', ...options });
  const batch = prepareUserBatch(model, data.networks, tinyUserBatch, new Rng(9));
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
      const error = Math.abs(numeric - analytic[idx]) / (2e-3 + 2e-2 * Math.abs(numeric));
      worst = Math.max(worst, error);
      checked++;
    }
  }
  tf.dispose(grads);
  model.dispose();
  return { worst, checked };
}

describe('user-level rank loss', () => {
  it.each([
    ['kernel, item vectors, item bias', { scoring: 'kernel', itemEmbedding: true, itemBias: true, itemInitStd: 0.3 }],
    ['kernel, tau 0.5, tanh', { scoring: 'kernel', tau: 0.5, activation: 'tanh' }],
    ['paper (centroid) scoring, item vectors', { scoring: 'paper', itemEmbedding: true, itemInitStd: 0.3 }],
    ['kernel, eran-l1', { scoring: 'kernel', variant: 'eran-l1', itemEmbedding: true }],
  ] as Array<[string, Partial<BuildEranOptions>]>)('%s: analytic gradient matches finite differences', (_, options) => {
    const { worst, checked } = userGradientCheck(options);
    expect(checked).toBeGreaterThan(20);
    expect(worst).toBeLessThan(0.5);
  });

  it('equals softplus(s(u, n) - s(u, i)) with the naive kernel score (i excluded from its own sum)', () => {
    const data = tinyData();
    const model = buildEranFor(data, {
      hidden: [5, 3],
      seed: 4,
      userInitStd: 0.5,
      rankLoss: 'user',
      scoring: 'kernel',
      variant: 'eran-l1',
      itemEmbedding: true,
      itemBias: true,
      itemInitStd: 0.3,
    });
    tf.tidy(() => model.itemBias!.assign(tf.tensor1d(Array.from({ length: 8 }, (_, i) => 0.1 * i - 0.3))));
    const emb = freezeEran(model, data.networks);
    const batch = prepareUserBatch(model, data.networks, tinyUserBatch, new Rng(1));
    const rank = evaluateLoss(model, batch).rank;
    let expected = 0;
    const b = tinyUserBatch;
    for (let q = 0; q < b.pairGroup.length; q++) {
      const g = b.pairGroup[q];
      const u = b.users[g];
      const hist = Array.from(b.historyItems.slice(b.offsets[g], b.offsets[g + 1]));
      const i = b.historyItems[b.positiveRows[q]];
      const n = b.negatives[q];
      const s = (x: number, keys: number[]): number =>
        2 * Math.log(keys.reduce((acc, j) => acc + Math.exp(-dist2(naiveRep(emb, u, x), naiveRep(emb, u, j)) / 2), 0)) + emb.itemBias![x];
      const margin =
        s(n, hist) -
        s(
          i,
          hist.filter((j) => j !== i),
        );
      expected += Math.log1p(Math.exp(margin));
    }
    expect(rank).toBeCloseTo(expected, 3);
    model.dispose();
  });

  it('lowers the loss on a planted graph and leaks no tensor', async () => {
    const planted = plantedGraph({ numItems: 60, numUsers: 40, seed: 3 });
    const options = {
      hidden: [16, 4],
      batchSize: 64,
      learningRate: 0.02,
      alpha: 10,
      rankLoss: 'user',
      scoring: 'kernel',
      itemEmbedding: true,
      itemBias: true,
      userPairs: 4,
    } as const;
    const model = buildEranFor(planted.data, options);
    const result = await trainEran(model, planted.data, { epochs: 12, seed: 1 });
    const first = result.epochs[0].loss.rank;
    const last = result.epochs[result.epochs.length - 1].loss.rank;
    expect(last).toBeLessThan(0.8 * first);

    const optimizer = new Adam(model.trainableVariables(), { learningRate: 0.01 });
    const rng = new Rng(2);
    const sampler = new UserSampler(planted.data.userItems, 60, 4, rng);
    const step = (): void => {
      trainStep(model, optimizer, prepareUserBatch(model, planted.data.networks, sampler.next(64), rng));
    };
    step();
    const before = tf.memory().numTensors;
    for (let s = 0; s < 3; s++) step();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    model.dispose();
  });
});

describe('options and checkpoint', () => {
  it('defaults to the paper and explains invalid improvement options', () => {
    const c = resolveEranConfig({ numItems: 10, numUsers: 2, kinds: ['a'] });
    expect(c).toMatchObject({ scoring: 'paper', rankLoss: 'pairwise', itemEmbedding: false, tau: 2 });
    expect(() => resolveEranConfig({ numItems: 10, numUsers: 2, kinds: ['a'], scoring: 'knn' as never, tau: 0, rankLoss: 'x' as never, userPairs: 0 })).toThrow(
      /scoring: expected paper \| kernel \| mixture, got knn; tau: expected a positive number, got 0; rankLoss: expected pairwise \| user, got x; userPairs: expected a positive integer, got 0/,
    );
  });

  it('the user sampler takes each usable user once per epoch with min(|R_u|, pairs) distinct positives', () => {
    const data = tinyData();
    const sampler = new UserSampler(data.userItems, 8, 2, new Rng(1));
    expect(sampler.size).toBe(8);
    sampler.shuffle();
    const batch = sampler.next(100);
    expect(Array.from(batch.users).sort()).toEqual([0, 1, 2, 3]);
    for (let q = 0; q < batch.pairGroup.length; q++) {
      const g = batch.pairGroup[q];
      expect(batch.positiveRows[q]).toBeGreaterThanOrEqual(batch.offsets[g]);
      expect(batch.positiveRows[q]).toBeLessThan(batch.offsets[g + 1]);
      expect(Array.from(data.userItems[batch.users[g]])).not.toContain(batch.negatives[q]);
    }
  });

  it('with maxKeys takes a uniform subset of R_u as keys and positives, negatives still outside all of R_u', () => {
    const planted = plantedGraph({ numItems: 60, numUsers: 20, seed: 4 });
    const sampler = new UserSampler(planted.data.userItems, 60, 3, new Rng(2), 4);
    sampler.shuffle();
    const batch = sampler.next(1000);
    for (let g = 0; g < batch.users.length; g++) {
      const own = Array.from(planted.data.userItems[batch.users[g]]);
      const keys = Array.from(batch.historyItems.slice(batch.offsets[g], batch.offsets[g + 1]));
      expect(keys.length).toBe(Math.min(4, own.length));
      keys.forEach((j) => expect(own).toContain(j));
    }
    for (let q = 0; q < batch.pairGroup.length; q++) {
      expect(Array.from(planted.data.userItems[batch.users[batch.pairGroup[q]]])).not.toContain(batch.negatives[q]);
    }
    expect(() => resolveEranConfig({ numItems: 10, numUsers: 2, kinds: ['a'], userKeys: 1 })).toThrow(/userKeys: expected 0/);
  });

  it('round-trips item vectors and the scoring rule through a checkpoint', async () => {
    const planted = plantedGraph({ numItems: 40, numUsers: 20, seed: 5 });
    const model: EranModel = buildEranFor(planted.data, {
      hidden: [8, 4],
      itemEmbedding: true,
      itemBias: true,
      scoring: 'kernel',
      tau: 1.5,
      rankLoss: 'user',
      itemInitStd: 0.2,
    });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'eran-plus-'));
    try {
      await saveCheckpoint(dir, model, planted.data);
      const loaded = await loadCheckpoint(dir);
      const frozen = freezeEran(model, planted.data.networks);
      expect(loaded.embeddings.scoring).toBe('kernel');
      expect(loaded.embeddings.tau).toBe(1.5);
      expect(Array.from(loaded.embeddings.itemEmbedding!)).toEqual(Array.from(frozen.itemEmbedding!));
      expect(Array.from(scoreUser(loaded.embeddings, 3, [1, 2, 5]))).toEqual(Array.from(scoreUser(frozen, 3, [1, 2, 5])));
      expect(Array.from(loaded.model!.itemEmbedding!.dataSync())).toEqual(Array.from(model.itemEmbedding!.dataSync()));
      loaded.model!.dispose();
    } finally {
      model.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
