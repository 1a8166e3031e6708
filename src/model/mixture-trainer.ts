/**
 * Trainer for `scoring: 'mixture'` (see mixture.ts). One step takes a batch of users, scores every
 * item for them, and follows the multinomial likelihood of their training positives. The codes
 * h^k come from the autoencoders (eq. 1) run over every item's adjacency row; their gradient
 * reaches the encoder weights through a vector-Jacobian product, beside the reconstruction loss
 * L_net (eq. 3) of a random subset of rows, weighted `reconWeight`, so that a cold item's code
 * (from its attribute links alone) stays meaningful.
 *
 * Early stopping without a caller-given metric: each user's latest positive (timestamps from
 * GraphData.userItemTimes, else a seeded pick) is held out, the model trains on the rest until
 * full-ranking nDCG@10 on the held-out items stops improving (`patience`), then every weight is
 * reset to its initial value and the model is refitted on all positives for the best number of
 * epochs: the held-out items are the most recent, the ones recency weighting leans on most.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from './adam';
import type { EranModel } from './eran-model';
import { encodeRows, prepareKind, reconstructionLoss } from './eran-model';
import type { GraphData } from './graph-data';
import { assertMixtureFits, mixtureLossAndGrads, mixtureScores } from './mixture';
import { latestIndex, recencyWeights } from './recency';
import { Rng } from './rng';
import { segmentPlan, type SegmentPlan } from './sparse-ops';
import type { EpochSummary, LossValues, ProgressCallback, StopReason, TrainOptions, TrainResult } from './trainer';

/** Users per step: B x N score matrices, small next to the N x N kernels. */
export const MIXTURE_BATCH_USERS = 256;
/** Rows per step whose reconstruction (eq. 3) is added, reweighted to the whole catalogue. */
export const MIXTURE_RECON_ROWS = 128;
/** Weight of L_net against the likelihood; per-row mean, so it does not grow with N. */
export const MIXTURE_RECON_WEIGHT = 1;
export const MIXTURE_PATIENCE = 3;

interface Prepared {
  readonly n: number;
  readonly networks: GraphData['networks'];
  readonly numUsers: number;
  readonly plans: readonly SegmentPlan[];
  /** Users with at least one positive to predict. */
  readonly users: Int32Array;
  /** Per user: items that feed the history (weighted) and targets. */
  readonly items: readonly Int32Array[];
  readonly weights: readonly Float32Array[];
}

function prepare(model: EranModel, data: GraphData, userItems: readonly Int32Array[], halfLife: number, times?: readonly Float64Array[]): Prepared {
  const n = model.config.numItems;
  const plans = data.networks.map((net) => {
    const rows = new Int32Array(net.indptr[n]);
    for (let i = 0; i < n; i++) rows.fill(i, net.indptr[i], net.indptr[i + 1]);
    return segmentPlan(net.indices, rows, n, n);
  });
  const users: number[] = [];
  userItems.forEach((items, u) => {
    if (items.length >= 2) users.push(u);
  });
  return {
    n,
    networks: data.networks,
    numUsers: model.config.numUsers,
    plans,
    users: Int32Array.from(users),
    items: userItems,
    weights: userItems.map((items, u) => recencyWeights(times?.[u], items.length, halfLife)),
  };
}

/** The codes h^k and the kernel vectors h^k + e for every item, per kind N x d (no tape). */
function itemVectors(model: EranModel, plans: readonly SegmentPlan[]): { codes: tf.Tensor2D[]; h: tf.Tensor2D[] } {
  const codes = plans.map((plan, k) => tf.tidy(() => encodeRows(model, k, plan)));
  const e = model.itemEmbedding;
  const h = e ? codes.map((c) => tf.tidy(() => tf.add(c, e) as tf.Tensor2D)) : codes;
  return { codes, h };
}

function disposeVectors(v: { codes: tf.Tensor2D[]; h: tf.Tensor2D[] }): void {
  new Set([...v.codes, ...v.h]).forEach((t) => t.dispose());
}

function historyMatrix(p: Prepared, batch: Int32Array, weighted: boolean): Float32Array {
  const out = new Float32Array(batch.length * p.n);
  batch.forEach((u, r) => {
    const items = p.items[u];
    const w = p.weights[u];
    for (let q = 0; q < items.length; q++) out[r * p.n + items[q]] = weighted ? w[q] : 1;
  });
  return out;
}

function step(model: EranModel, p: Prepared, batch: Int32Array, adam: Adam, rng: Rng, reconWeight: number, reconRows: number): LossValues {
  const { n } = p;
  const b = batch.length;
  const d = model.dim;
  const vectors = itemVectors(model, p.plans);
  const kinds = vectors.h.length;
  const flat = tf.tidy(() => {
    const z = tf.gather(model.users, tf.tensor1d(batch, 'int32')) as tf.Tensor2D;
    // Training predicts every positive from the others, old ones too: recency weights (relative to
    // the latest purchase) would describe the wrong moment for all but the latest, so the training
    // history is unweighted and the weights apply where the next purchase is predicted (serving,
    // validation). Measured on ml100k-cast: weighted training histories lost (src/model/README.md).
    const history = tf.tensor2d(historyMatrix(p, batch, false), [b, n]);
    const targets = history;
    const g = mixtureLossAndGrads({ h: vectors.h, keys: vectors.codes, z, bias: model.itemBias, history, tau: model.config.tau }, targets);
    // The codes get both gradients; e_i only the kernels'.
    const dCodes = g.h.map((dh, k) => tf.add(dh, g.keys[k]) as tf.Tensor2D);
    const dE = g.h.reduce((acc: tf.Tensor2D, dh) => tf.add(acc, dh));
    return [g.loss, g.z, dE, ...dCodes, ...(g.bias ? [g.bias] : [])];
  });
  const grads = {
    loss: flat[0] as tf.Scalar,
    z: flat[1] as tf.Tensor2D,
    e: flat[2] as tf.Tensor2D,
    h: flat.slice(3, 3 + kinds) as tf.Tensor2D[],
    bias: (flat[3 + kinds] as tf.Tensor1D | undefined) ?? null,
  };
  disposeVectors(vectors);
  const rank = grads.loss.dataSync()[0];
  grads.loss.dispose();

  // Encoder weights: <codes, dL/dh> plus reconstruction of a random subset of rows.
  const encoderVars = model.autoencoders.flatMap((ae) => [
    ae.input.w,
    ae.input.b,
    ...ae.encoder.flatMap((l) => [l.w, l.b]),
    ...ae.decoder.flatMap((l) => [l.w, l.b]),
    ...(ae.output ? [ae.output.w, ae.output.b] : []),
  ]);
  const withRecon = reconWeight > 0 && model.hasDecoder;
  const reconItems = withRecon ? rng.sampleDistinct(n, Math.min(reconRows, n)) : new Int32Array(0);
  const reconBatches = withRecon ? model.config.kinds.map((_, k) => prepareKind(p.networks[k], reconItems, true, model.config, rng)) : [];
  let reconTerm: tf.Scalar | null = null;
  const { value, grads: encoderGrads } = tf.variableGrads(() => {
    let total: tf.Tensor = tf.scalar(0);
    let recon: tf.Tensor = tf.scalar(0);
    p.plans.forEach((plan, k) => {
      // <codes, dL/dh>: its gradient is the vector-Jacobian product of the encoder.
      total = tf.add(total, tf.sum(tf.mul(encodeRows(model, k, plan), grads.h[k])));
      if (withRecon) {
        const kb = reconBatches[k];
        const code = encodeRows(model, k, kb.encode);
        // Mean per reconstructed row: comparable across catalogue sizes.
        recon = tf.add(recon, tf.mul(reconstructionLoss(model, k, code, kb), reconWeight / reconItems.length));
      }
    });
    reconTerm = tf.keep(recon as tf.Scalar);
    return tf.add(total, recon) as tf.Scalar;
  }, encoderVars);
  value.dispose();
  const net = reconTerm === null ? 0 : (reconTerm as tf.Scalar).dataSync()[0];
  (reconTerm as tf.Scalar | null)?.dispose();

  const update: tf.NamedTensorMap = { ...encoderGrads };
  if (model.itemEmbedding && model.itemEmbedding.trainable) update[model.itemEmbedding.name] = grads.e;
  else grads.e.dispose();
  if (model.users.trainable) {
    const dz = grads.z.dataSync();
    const full = new Float32Array(p.numUsers * d);
    batch.forEach((u, r) => {
      for (let t = 0; t < d; t++) full[u * d + t] += dz[r * d + t];
    });
    update[model.users.name] = tf.tensor2d(full, [p.numUsers, d]);
  }
  if (model.itemBias && grads.bias && model.itemBias.trainable) update[model.itemBias.name] = tf.clone(grads.bias);
  grads.h.forEach((t) => t.dispose());
  grads.z.dispose();
  grads.bias?.dispose();
  adam.apply(update);
  return { net, rank, total: rank + net };
}

/**
 * Full-ranking nDCG@10 of each held-out item among every item outside the user's training
 * positives, averaged over the users that have one.
 */
export function heldOutNdcg(model: EranModel, p: Prepared, heldOut: Int32Array, k = 10): number {
  const users = Int32Array.from(Array.from(heldOut.keys()).filter((u) => heldOut[u] >= 0));
  if (users.length === 0) return 0;
  const vectors = itemVectors(model, p.plans);
  let sum = 0;
  try {
    for (let s = 0; s < users.length; s += MIXTURE_BATCH_USERS) {
      const batch = users.subarray(s, s + MIXTURE_BATCH_USERS);
      const scores = tf.tidy(() => {
        const z = tf.gather(model.users, tf.tensor1d(batch, 'int32')) as tf.Tensor2D;
        const history = tf.tensor2d(historyMatrix(p, batch, true), [batch.length, p.n]);
        return mixtureScores({ h: vectors.h, keys: vectors.codes, z, bias: model.itemBias, history, tau: model.config.tau });
      });
      const values = scores.dataSync();
      scores.dispose();
      batch.forEach((u, r) => {
        const target = heldOut[u];
        const off = r * p.n;
        const own = new Set(p.items[u]);
        const t = values[off + target];
        let rank = 1;
        for (let x = 0; x < p.n; x++) {
          if (x !== target && !own.has(x) && values[off + x] > t) rank++;
        }
        if (rank <= k) sum += 1 / Math.log2(rank + 1);
      });
    }
  } finally {
    disposeVectors(vectors);
  }
  return sum / users.length;
}

interface PhaseResult {
  readonly epochs: EpochSummary[];
  readonly best: { epoch: number; value: number } | null;
  readonly stopReason: StopReason;
  readonly positivesSeen: number;
}

async function runPhase(
  model: EranModel,
  p: Prepared,
  epochs: number,
  rng: Rng,
  options: TrainOptions,
  started: number,
  validate: ((epoch: number) => number | Promise<number>) | null,
  onProgress: ProgressCallback | undefined,
  epochOffset: number,
  totalEpochs: number,
): Promise<PhaseResult> {
  const adam = new Adam(model.trainableVariables(), { learningRate: model.config.learningRate });
  const reconWeight = model.config.variant === 'eran-l1' ? 0 : MIXTURE_RECON_WEIGHT;
  const patience = options.patience ?? MIXTURE_PATIENCE;
  const stepsPerEpoch = Math.ceil(p.users.length / MIXTURE_BATCH_USERS);
  const summaries: EpochSummary[] = [];
  let best: { epoch: number; value: number } | null = null;
  let sinceBest = 0;
  let stopReason: StopReason = 'epochs';
  let positivesSeen = 0;
  const elapsed = (): number => (Date.now() - started) / 1000;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = Date.now();
      const order = Int32Array.from(p.users);
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      const sums = { net: 0, rank: 0, total: 0 };
      let steps = 0;
      let positives = 0;
      for (let s = 0; s < order.length; s += MIXTURE_BATCH_USERS) {
        if (options.signal?.aborted) {
          stopReason = 'aborted';
          break;
        }
        if (options.maxSeconds !== undefined && elapsed() > options.maxSeconds) {
          stopReason = 'time';
          break;
        }
        const batch = order.subarray(s, s + MIXTURE_BATCH_USERS);
        const loss = step(model, p, batch, adam, rng, reconWeight, MIXTURE_RECON_ROWS);
        sums.net += loss.net;
        sums.rank += loss.rank;
        sums.total += loss.total;
        steps++;
        for (const u of batch) positives += p.items[u].length;
        const done = (epochOffset + epoch - 1) * stepsPerEpoch + steps;
        const seconds = elapsed();
        onProgress?.({
          phase: 'step',
          epoch: epochOffset + epoch,
          step: steps,
          stepsPerEpoch,
          loss,
          tripletsPerSecond: (positivesSeen + positives) / Math.max(seconds, 1e-9),
          elapsedSeconds: seconds,
          etaSeconds: (seconds / done) * Math.max(0, totalEpochs * stepsPerEpoch - done),
        });
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      positivesSeen += positives;
      if (steps === 0) break;
      const mean: LossValues = { net: sums.net / steps, rank: sums.rank / steps, total: sums.total / steps };
      // Training time only, as the triplet trainer reports it (validation is extra).
      const seconds = (Date.now() - epochStart) / 1000;
      const validation = validate ? await validate(epoch) : undefined;
      if (validation !== undefined) {
        if (best === null || validation > best.value) {
          best = { epoch, value: validation };
          sinceBest = 0;
        } else {
          sinceBest++;
        }
      }
      summaries.push({ epoch: epochOffset + epoch, loss: mean, seconds, tripletsPerSecond: positives / Math.max(seconds, 1e-9), validation });
      onProgress?.({
        phase: 'epoch',
        epoch: epochOffset + epoch,
        step: steps,
        stepsPerEpoch,
        loss: mean,
        tripletsPerSecond: positivesSeen / Math.max(elapsed(), 1e-9),
        elapsedSeconds: elapsed(),
        etaSeconds: 0,
        validation,
        bestValidation: best?.value,
      });
      if (stopReason !== 'epochs') break;
      if (validate && sinceBest >= patience) {
        stopReason = 'patience';
        break;
      }
    }
  } finally {
    adam.dispose();
  }
  return { epochs: summaries, best, stopReason, positivesSeen };
}

function trainResult(
  started: number,
  phases: readonly PhaseResult[],
  fields: Pick<TrainResult, 'bestEpoch' | 'bestValidation' | 'restoredBest' | 'stopReason'>,
): TrainResult {
  const seconds = (Date.now() - started) / 1000;
  const positives = phases.reduce((a, ph) => a + ph.positivesSeen, 0);
  return { ...fields, epochs: phases.flatMap((ph) => ph.epochs), seconds, tripletsPerSecond: positives / Math.max(seconds, 1e-9) };
}

/**
 * Each user's latest positive (users with >= 3; seeded pick without times) held out of the
 * training items and times; -1 for users who keep everything.
 */
function holdOutLatest(data: GraphData, rng: Rng): { heldOut: Int32Array; items: Int32Array[]; times?: Float64Array[] } {
  const times = data.userItemTimes;
  const heldOut = new Int32Array(data.userItems.length).fill(-1);
  const picks = data.userItems.map((items, u) => (items.length < 3 ? -1 : latestIndex(times?.[u], items.length, () => rng.next())));
  const without = <T extends Int32Array | Float64Array>(values: T, q: number): T =>
    (q < 0 ? values : (values.filter((_, i) => i !== q) as T));
  picks.forEach((q, u) => {
    if (q >= 0) heldOut[u] = data.userItems[u][q];
  });
  return {
    heldOut,
    items: data.userItems.map((items, u) => without(items, picks[u])),
    ...(times ? { times: times.map((t, u) => without(t, picks[u])) } : {}),
  };
}

/**
 * Trains a `scoring: 'mixture'` model in place. With `options.validate` the caller's metric
 * drives early stopping (best weights restored); without it, the held-out-latest protocol above
 * picks the epoch count and the model is refitted on everything.
 */
export async function trainMixture(model: EranModel, data: GraphData, options: TrainOptions, onProgress?: ProgressCallback): Promise<TrainResult> {
  const started = Date.now();
  const n = model.config.numItems;
  assertMixtureFits(n);
  const rng = new Rng(options.seed ?? model.config.seed);
  const halfLife = model.config.recencyHalfLife;
  const times = data.userItemTimes;
  const variables = model.trainableVariables();

  if (options.validate) {
    const p = prepare(model, data, data.userItems, halfLife, times);
    const validate = options.validate;
    const bestWeights: tf.Tensor[] = [];
    let bestEpoch = 0;
    let bestValue = -Infinity;
    const phase = await runPhase(
      model,
      p,
      options.epochs,
      rng,
      options,
      started,
      async (epoch) => {
        const value = await validate(model, epoch);
        if (!Number.isFinite(value)) throw new Error(`validate: expected a finite metric, got ${value}`);
        if (value > bestValue) {
          bestWeights.splice(0).forEach((w) => w.dispose());
          variables.forEach((v) => bestWeights.push(tf.clone(v)));
          bestEpoch = epoch;
          bestValue = value;
        }
        return value;
      },
      onProgress,
      0,
      options.epochs,
    );
    const restore = (options.restoreBest ?? true) && bestEpoch > 0 && bestEpoch !== phase.epochs.length;
    if (restore) variables.forEach((v, i) => v.assign(bestWeights[i]));
    bestWeights.forEach((w) => w.dispose());
    return trainResult(started, [phase], {
      bestEpoch: phase.best?.epoch ?? null,
      bestValidation: phase.best?.value ?? null,
      restoredBest: restore,
      stopReason: phase.stopReason,
    });
  }

  // Hold out each user's latest positive, pick the epoch count on it, refit on everything.
  const split = holdOutLatest(data, rng);
  const initial = variables.map((v) => tf.clone(v));
  try {
    const validation = prepare(model, data, split.items, halfLife, split.times);
    const search = await runPhase(model, validation, options.epochs, rng, options, started, () => heldOutNdcg(model, validation, split.heldOut), onProgress, 0, 2 * options.epochs);
    const best = { bestEpoch: search.best?.epoch ?? null, bestValidation: search.best?.value ?? null, restoredBest: false };
    if (search.stopReason === 'aborted' || search.stopReason === 'time') return trainResult(started, [search], { ...best, stopReason: search.stopReason });
    const bestEpoch = search.best?.epoch ?? search.epochs.length;
    variables.forEach((v, i) => v.assign(initial[i]));
    const all = prepare(model, data, data.userItems, halfLife, times);
    const refit = await runPhase(model, all, bestEpoch, rng, options, started, null, onProgress, search.epochs.length, search.epochs.length + bestEpoch);
    return trainResult(started, [search, refit], {
      ...best,
      bestEpoch,
      stopReason: refit.stopReason === 'epochs' ? search.stopReason : refit.stopReason,
    });
  } finally {
    initial.forEach((t) => t.dispose());
  }
}
