/**
 * Mini-batch training of eRAN with Adam (eq. 12), seeded and reproducible on one backend:
 * the same seed gives the same triplets, the same initial weights and the same losses.
 */
import * as tf from '@tensorflow/tfjs-core';
import { trainMixture } from './mixture-trainer';
import { Adam } from './adam';
import { EranModel, PreparedBatch, PreparedUserBatch, eranLoss, prepareBatch, prepareUserBatch } from './eran-model';
import type { GraphData } from './graph-data';
import { Rng } from './rng';
import { TripletSampler, UserSampler } from './sampler';

export interface LossValues {
  readonly net: number;
  readonly rank: number;
  readonly total: number;
}

export interface TrainProgress {
  readonly phase: 'step' | 'epoch';
  /** 1-based. */
  readonly epoch: number;
  /** 1-based within the epoch. */
  readonly step: number;
  readonly stepsPerEpoch: number;
  /** This step's losses (phase `step`) or the epoch's mean per step (phase `epoch`). */
  readonly loss: LossValues;
  readonly tripletsPerSecond: number;
  readonly elapsedSeconds: number;
  /** Seconds to the end of the last planned epoch at the current speed (validation excluded). */
  readonly etaSeconds: number;
  /** Phase `epoch` with a validate callback: this epoch's metric and the best so far. */
  readonly validation?: number;
  readonly bestValidation?: number;
}

export interface TrainOptions {
  readonly epochs: number;
  /** Sampler seed; default: the model's seed. */
  readonly seed?: number;
  /** Called after each epoch; higher is better (e.g. validation nDCG@10). */
  readonly validate?: (model: EranModel, epoch: number) => number | Promise<number>;
  /** Epochs without improvement of the metric before stopping (default 3). */
  readonly patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  readonly minDelta?: number;
  /** Keep the weights of the best epoch at the end (default true when validating). */
  readonly restoreBest?: boolean;
  /** Stop (between steps) once this much wall time has passed. */
  readonly maxSeconds?: number;
  /** Default: one pass over the training positives, ceil(positives / batchSize). */
  readonly stepsPerEpoch?: number;
  readonly signal?: AbortSignal;
}

export interface EpochSummary {
  readonly epoch: number;
  readonly loss: LossValues;
  /** Seconds of this epoch's training steps (validation excluded). */
  readonly seconds: number;
  /** False for an epoch cut short (wall budget, cancellation): its seconds are not a whole epoch's. */
  readonly complete: boolean;
  readonly tripletsPerSecond: number;
  readonly validation?: number;
}

export type StopReason = 'epochs' | 'patience' | 'time' | 'aborted';

export interface TrainResult {
  /** Seconds per phase of the training steps, where the trainer measures them (benchmarks). */
  readonly phaseSeconds?: Readonly<Record<string, number>>;
  readonly epochs: readonly EpochSummary[];
  readonly bestEpoch: number | null;
  readonly bestValidation: number | null;
  readonly restoredBest: boolean;
  readonly stopReason: StopReason;
  readonly seconds: number;
  readonly tripletsPerSecond: number;
}

export type ProgressCallback = (progress: TrainProgress) => void;

/** Trains `model` in place on `data` (GraphData.userItems = training positives only). */
export async function trainEran(model: EranModel, data: GraphData, options: TrainOptions, onProgress?: ProgressCallback): Promise<TrainResult> {
  validateTrainOptions(options);
  if (model.config.scoring === 'mixture') return trainMixture(model, data, options, onProgress);
  const { config } = model;
  if (data.itemIds.length !== config.numItems || data.userIds.length !== config.numUsers) {
    throw new Error(
      `trainEran: expected data with ${config.numItems} items and ${config.numUsers} users, got ${data.itemIds.length} and ${data.userIds.length}`,
    );
  }
  const rng = new Rng(options.seed ?? config.seed);
  const userLevel = config.rankLoss === 'user';
  const sampler = userLevel
    ? new UserSampler(data.userItems, config.numItems, config.userPairs, rng, config.userKeys)
    : new TripletSampler(data.userItems, config.numItems, rng);
  const batchSize = config.batchSize;
  const stepsPerEpoch = options.stepsPerEpoch ?? Math.ceil(sampler.size / batchSize);
  const nextBatch = (): { prepared: PreparedBatch | PreparedUserBatch; pairs: number } => {
    if (sampler instanceof UserSampler) {
      const prepared = prepareUserBatch(model, data.networks, sampler.next(batchSize), rng);
      return { prepared, pairs: prepared.size };
    }
    const triplets = sampler.batch(cursor, batchSize);
    cursor += batchSize;
    return { prepared: prepareBatch(model, data.networks, triplets, rng), pairs: batchSize };
  };
  const patience = options.patience ?? 3;
  const minDelta = options.minDelta ?? 0;
  const restoreBest = options.restoreBest ?? options.validate !== undefined;
  const variables = model.trainableVariables();
  const optimizer = new Adam(variables, { learningRate: config.learningRate });

  const started = Date.now();
  const epochs: EpochSummary[] = [];
  let tripletsDone = 0;
  let stepsDone = 0;
  let cursor = 0;
  let best: { epoch: number; value: number; weights: tf.Tensor[] } | null = null;
  let sinceBest = 0;
  let stopReason: StopReason = 'epochs';
  const elapsed = (): number => (Date.now() - started) / 1000;

  try {
    outer: for (let epoch = 1; epoch <= options.epochs; epoch++) {
      sampler.shuffle();
      cursor = 0;
      const epochStart = Date.now();
      const sums = { net: 0, rank: 0, total: 0 };
      let stepsThisEpoch = 0;
      let pairsThisEpoch = 0;
      for (let step = 1; step <= stepsPerEpoch; step++) {
        if (options.signal?.aborted) {
          stopReason = 'aborted';
          break outer;
        }
        if (options.maxSeconds !== undefined && elapsed() >= options.maxSeconds) {
          stopReason = 'time';
          break outer;
        }
        const { prepared, pairs } = nextBatch();
        const loss = trainStep(model, optimizer, prepared, variables);
        sums.net += loss.net;
        sums.rank += loss.rank;
        sums.total += loss.total;
        stepsThisEpoch++;
        stepsDone++;
        tripletsDone += pairs;
        pairsThisEpoch += pairs;
        const seconds = elapsed();
        const totalSteps = options.epochs * stepsPerEpoch;
        onProgress?.({
          phase: 'step',
          epoch,
          step,
          stepsPerEpoch,
          loss,
          tripletsPerSecond: tripletsDone / Math.max(seconds, 1e-9),
          elapsedSeconds: seconds,
          etaSeconds: (seconds / stepsDone) * (totalSteps - stepsDone),
        });
        // Let a hosting server (e.g. the Nest training job) answer requests between steps.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const epochSeconds = (Date.now() - epochStart) / 1000;
      const mean: LossValues = {
        net: sums.net / stepsThisEpoch,
        rank: sums.rank / stepsThisEpoch,
        total: sums.total / stepsThisEpoch,
      };
      let validation: number | undefined;
      if (options.validate) {
        validation = await options.validate(model, epoch);
        if (!Number.isFinite(validation)) throw new Error(`validate: expected a finite metric, got ${validation}`);
        if (best === null || validation > best.value + minDelta) {
          best?.weights.forEach((w) => w.dispose());
          best = { epoch, value: validation, weights: restoreBest ? variables.map((v) => tf.clone(v)) : [] };
          sinceBest = 0;
        } else {
          sinceBest++;
        }
      }
      const summary: EpochSummary = {
        epoch,
        loss: mean,
        seconds: epochSeconds,
        complete: stepsThisEpoch === stepsPerEpoch,
        tripletsPerSecond: pairsThisEpoch / Math.max(epochSeconds, 1e-9),
        validation,
      };
      epochs.push(summary);
      const seconds = elapsed();
      onProgress?.({
        phase: 'epoch',
        epoch,
        step: stepsThisEpoch,
        stepsPerEpoch,
        loss: mean,
        tripletsPerSecond: tripletsDone / Math.max(seconds, 1e-9),
        elapsedSeconds: seconds,
        etaSeconds: (seconds / stepsDone) * (options.epochs * stepsPerEpoch - stepsDone),
        validation,
        bestValidation: best?.value,
      });
      if (options.validate && sinceBest >= patience) {
        stopReason = 'patience';
        break;
      }
    }
    let restoredBest = false;
    if (best !== null && restoreBest && best.epoch !== epochs.length) {
      const weights = best.weights;
      variables.forEach((v, i) => v.assign(weights[i]));
      restoredBest = true;
    }
    const seconds = elapsed();
    return {
      epochs,
      bestEpoch: best?.epoch ?? null,
      bestValidation: best?.value ?? null,
      restoredBest,
      stopReason,
      seconds,
      tripletsPerSecond: tripletsDone / Math.max(seconds, 1e-9),
    };
  } finally {
    best?.weights.forEach((w) => w.dispose());
    optimizer.dispose();
  }
}

/**
 * One Adam step on a prepared batch; returns the batch's losses. Every tensor it creates is
 * disposed before it returns (the optimizer's moment estimates persist).
 */
export function trainStep(model: EranModel, optimizer: Adam, batch: PreparedBatch | PreparedUserBatch, variables = model.trainableVariables()): LossValues {
  let parts: tf.Tensor | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const loss = eranLoss(model, batch);
    parts = tf.keep(tf.stack([loss.net, loss.rank, loss.total]));
    return loss.total;
  }, variables);
  value.dispose();
  optimizer.apply(grads);
  const kept = parts as tf.Tensor | null;
  if (kept === null) throw new Error('trainStep: loss was not computed');
  const [net, rank, total] = kept.dataSync();
  kept.dispose();
  return { net, rank, total };
}

/** The losses of a batch without updating anything (for tests and diagnostics). */
export function evaluateLoss(model: EranModel, batch: PreparedBatch | PreparedUserBatch): LossValues {
  const parts = tf.tidy(() => {
    const loss = eranLoss(model, batch);
    return tf.stack([loss.net, loss.rank, loss.total]);
  });
  const [net, rank, total] = parts.dataSync();
  parts.dispose();
  return { net, rank, total };
}

function validateTrainOptions(o: TrainOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(o.epochs) || o.epochs <= 0) problems.push(`epochs: expected a positive integer, got ${o.epochs}`);
  if (o.patience !== undefined && (!Number.isInteger(o.patience) || o.patience <= 0)) {
    problems.push(`patience: expected a positive integer, got ${o.patience}`);
  }
  if (o.stepsPerEpoch !== undefined && (!Number.isInteger(o.stepsPerEpoch) || o.stepsPerEpoch <= 0)) {
    problems.push(`stepsPerEpoch: expected a positive integer, got ${o.stepsPerEpoch}`);
  }
  if (o.maxSeconds !== undefined && !(o.maxSeconds > 0)) problems.push(`maxSeconds: expected a positive number, got ${o.maxSeconds}`);
  if (o.minDelta !== undefined && !(o.minDelta >= 0)) problems.push(`minDelta: expected a number >= 0, got ${o.minDelta}`);
  if (problems.length > 0) throw new Error(`invalid training options: ${problems.join('; ')}`);
}
