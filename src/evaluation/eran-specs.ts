/**
 * eRAN and its ablations as harness models. The default rows are not tuned (one fit costs
 * minutes, a 6-value grid per seed would dominate the run): their settings are fixed up front and
 * each row's budget (epochs, time cap) is printed in the report. `eran-converged` is the paper's
 * model trained until validation stops improving: its epoch count is searched on the validation
 * split the baselines are tuned on (1, 2, 4, ... epochs, stopping after two lengths without gain),
 * with no time cap.
 */
import { join } from 'node:path';
import type { ModelSpec, Params } from './tune';
import { createEranRecommender, type EranHarnessOptions } from './eran-recommender';
import { scoringPreset, type EranVariant } from '../model/options';
import type { ScoringPath } from '../served-model/eran-engine';
import type { CandidateOptions } from '../served-model/candidates/candidate-generator';
import type { EranEmbeddings } from '../model/embeddings';

export interface EranSpecOptions {
  readonly epochs: number;
  readonly maxSeconds?: number;
  readonly hidden?: readonly number[];
  readonly learningRate?: number;
  readonly reconstruction?: 'exact' | 'sampled';
  readonly itemBias?: boolean;
  readonly batchSize?: number;
}

export function eranSpec(variant: EranVariant, options: EranSpecOptions, name: string = variant): ModelSpec {
  const harness: EranHarnessOptions & { readonly name: string } = {
    name,
    variant,
    epochs: options.epochs,
    maxSeconds: options.maxSeconds,
    ...(options.hidden ? { hidden: options.hidden } : {}),
    ...(options.learningRate ? { learningRate: options.learningRate } : {}),
    ...(options.reconstruction ? { reconstruction: options.reconstruction } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    itemBias: options.itemBias ?? false,
  };
  return eranModelSpec(harness);
}

export type EranModelOptions = EranHarnessOptions & {
  readonly name: string;
  /** Search the epoch count on validation over these increasing values (with patience) instead of fixing it. */
  readonly epochGrid?: readonly number[];
};

/** Epoch counts tried by eran-converged, and the patience over them. */
export const CONVERGED_EPOCHS: readonly number[] = [1, 2, 4, 8, 16, 32];
export const CONVERGED_PATIENCE = 2;

/**
 * Any eRAN configuration as a harness model: every protocol, attributes needed, not tuned. The
 * options are plain data, so the spec carries them as its recipe and each fit runs in a child
 * process (isolated-run.ts): a wasm abort or an out-of-memory there fails that model only.
 */
export function eranModelSpec(options: EranModelOptions): ModelSpec {
  const { epochGrid, ...harness } = options;
  const defaults: Params = epochGrid ? {} : { epochs: harness.epochs };
  return {
    name: harness.name,
    defaults,
    create: (p) => createEranRecommender({ ...harness, epochs: p.epochs ?? harness.epochs }),
    protocols: ['loo-sampled', 'loo-full', 'cold-start'],
    needsAttributes: true,
    recipe: { module: join(__dirname, 'eran-specs'), factory: 'eranModelSpec', options },
    ...(epochGrid ? { grid: { param: 'epochs', values: epochGrid, untuned: harness.epochs, stopAfter: CONVERGED_PATIENCE } } : {}),
    budget: eranBudget(options),
  };
}

function eranBudget(options: EranModelOptions): NonNullable<ModelSpec['budget']> {
  const cap = options.maxSeconds === undefined ? '' : `, capped at ${options.maxSeconds} s of training per fit`;
  const label = options.maxSeconds === undefined ? undefined : `${options.maxSeconds} s cap`;
  if (options.scoring === 'mixture') {
    return {
      text: `at most ${options.epochs} epochs, stopped when nDCG@10 on each user's latest training purchase fails to improve for 3 epochs, then a refit${cap}`,
      ...(label ? { cap: label } : {}),
    };
  }
  if (options.epochGrid) return { text: `no time cap; training length searched on validation${cap}`, ...(label ? { cap: label } : {}) };
  return { text: `${options.epochs} epochs${cap}`, ...(label ? { cap: label } : {}) };
}

/** The paper's model (as eranSpec('eran')), its epoch count chosen on validation, no time cap. */
export function eranConvergedSpec(options: Omit<EranSpecOptions, 'epochs' | 'maxSeconds'>, name = 'eran-converged'): ModelSpec {
  const base = eranSpec('eran', { ...options, epochs: CONVERGED_EPOCHS[0]! }, name);
  return eranModelSpec({ ...(base.recipe!.options as EranModelOptions), epochGrid: CONVERGED_EPOCHS });
}

/**
 * eran-plus: eRAN with the measured improvements (model/options.ts, model/mixture.ts). The paper's
 * parts stay: one autoencoder per attribute network (eq. 1-3, its reconstruction loss kept so
 * that cold items' attribute-only codes mean something), the user attention over kinds
 * (eq. 5-6), a per-kind personalized distance (eq. 8). What changes: the attention mixes one
 * similarity kernel per network, tau log sum_k a~^k sum_j w_j exp(-||h^k_x - h^k_j||^2 / tau),
 * a free item vector and bias join the codes, purchases weigh by recency at prediction time, and
 * training is the multinomial likelihood of every positive over all items, with early stopping on
 * each user's latest training purchase. Explanations: k* = the kind with the largest share of
 * the score, j* = the largest term of that kind.
 */
export interface EranPlusOptions {
  /** At most this many epochs; early stopping usually ends sooner (then a refit of the best count). */
  readonly epochs: number;
  readonly maxSeconds?: number;
  readonly hidden?: readonly number[];
  readonly learningRate?: number;
  readonly tau?: number;
  /** Recency half-life in purchases; 0 = every purchase weighs 1. */
  readonly recencyHalfLife?: number;
  readonly itemInitStd?: number;
  /** `candidates`: scored as the API serves (only the candidate generator's items); default exact. */
  readonly servingPath?: ScoringPath;
  readonly candidates?: CandidateOptions;
  /** Embeddings of an earlier fit on the same data and seed (benchmarks): no training. */
  readonly pretrained?: EranEmbeddings;
}

/**
 * Measured on ml100k-cast (seed 1, src/model/README.md). tau, the recency half-life, item bias and
 * item vectors come with scoringPreset('mixture'), as for `eran train` and retrainModel.
 */
const MIXTURE_PRESET = scoringPreset('mixture');
export const ERAN_PLUS_DEFAULTS = {
  hidden: [256, 32] as readonly number[],
  learningRate: 0.01,
  tau: MIXTURE_PRESET.tau!,
  recencyHalfLife: MIXTURE_PRESET.recencyHalfLife!,
  epochs: 60,
};

export function eranPlusSpec(options: EranPlusOptions, name = 'eran-plus'): ModelSpec {
  return eranModelSpec({
    ...MIXTURE_PRESET,
    name,
    variant: 'eran',
    epochs: options.epochs,
    maxSeconds: options.maxSeconds,
    hidden: options.hidden ?? ERAN_PLUS_DEFAULTS.hidden,
    learningRate: options.learningRate ?? ERAN_PLUS_DEFAULTS.learningRate,
    ...(options.tau !== undefined ? { tau: options.tau } : {}),
    ...(options.recencyHalfLife !== undefined ? { recencyHalfLife: options.recencyHalfLife } : {}),
    ...(options.itemInitStd !== undefined ? { itemInitStd: options.itemInitStd } : {}),
    ...(options.servingPath !== undefined ? { servingPath: options.servingPath } : {}),
    ...(options.candidates !== undefined ? { candidates: options.candidates } : {}),
    ...(options.pretrained !== undefined ? { pretrained: options.pretrained } : {}),
  });
}

/**
 * eran-kernel: the previous improvement (session 1), kept for comparison and selectable by name:
 * one kernel over the attention-mixed representation (eq. 7), trained by a sampled user-level
 * BPR loss beside exact reconstruction. It plateaued at about 0.31 sampled nDCG@10 on ml100k-cast.
 */
export interface EranKernelOptions {
  readonly epochs: number;
  readonly maxSeconds?: number;
  readonly hidden?: readonly number[];
  readonly learningRate?: number;
  readonly tau?: number;
  readonly alpha?: number;
  readonly userPairs?: number;
  readonly userKeys?: number;
  readonly batchSize?: number;
}

export const ERAN_KERNEL_DEFAULTS = {
  hidden: [256, 32] as readonly number[],
  learningRate: 0.01,
  tau: 2,
  alpha: 100,
  userPairs: 16,
  userKeys: 0,
  batchSize: 512,
};

export function eranKernelSpec(options: EranKernelOptions, name = 'eran-kernel'): ModelSpec {
  const harness: EranHarnessOptions & { readonly name: string } = {
    name,
    variant: 'eran',
    epochs: options.epochs,
    maxSeconds: options.maxSeconds,
    hidden: options.hidden ?? ERAN_KERNEL_DEFAULTS.hidden,
    learningRate: options.learningRate ?? ERAN_KERNEL_DEFAULTS.learningRate,
    tau: options.tau ?? ERAN_KERNEL_DEFAULTS.tau,
    alpha: options.alpha ?? ERAN_KERNEL_DEFAULTS.alpha,
    userPairs: options.userPairs ?? ERAN_KERNEL_DEFAULTS.userPairs,
    userKeys: options.userKeys ?? ERAN_KERNEL_DEFAULTS.userKeys,
    batchSize: options.batchSize ?? ERAN_KERNEL_DEFAULTS.batchSize,
    reconstruction: 'exact',
    scoring: 'kernel',
    rankLoss: 'user',
    itemEmbedding: true,
    itemBias: true,
  };
  return eranModelSpec(harness);
}

/** The default eRAN line-up: the paper's model, its two ablations, and eran-plus. */
export function eranSpecs(options: EranSpecOptions, plus?: EranPlusOptions): ModelSpec[] {
  return [
    eranSpec('eran', options),
    eranSpec('eran-l1', options),
    eranSpec('eran-l2', options),
    eranPlusSpec(plus ?? { epochs: ERAN_PLUS_DEFAULTS.epochs, maxSeconds: options.maxSeconds }),
  ];
}
