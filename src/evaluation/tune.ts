/**
 * Hyper-parameter tuning on validation splits carved out of the training data only: the test
 * targets and negatives are never looked at. Every baseline gets the same budget: one key
 * hyper-parameter, at most TUNE_BUDGET values.
 */
import {
  evaluateColdStart,
  evaluateLooFull,
  evaluateLooSampled,
  type FitProgress,
  type FullRankingExclusion,
  type ProtocolName,
  type Recommender,
} from './protocols';
import type { ColdStartSplit, LooSplit } from './split';
import type { TrainView } from './train-view';

export const TUNE_BUDGET = 6;

export type Params = Readonly<Record<string, number>>;

export interface HyperGrid {
  readonly param: string;
  readonly values: readonly number[];
  /** The value used when tuning is off (default: the first grid value). */
  readonly untuned?: number;
  /**
   * Patience over the grid, for an increasing grid of training lengths: stop after this many
   * successive values that do not beat the best score so far (default: try every value).
   */
  readonly stopAfter?: number;
}

/** Parameters for a run without tuning. */
export function untunedParams(spec: ModelSpec): Params {
  if (!spec.grid) return spec.defaults ?? {};
  return { ...spec.defaults, [spec.grid.param]: spec.grid.untuned ?? spec.grid.values[0] };
}

/** A model as the harness sees it: how to build one from parameters, and what to tune. */
export interface ModelSpec {
  readonly name: string;
  readonly create: (params: Params) => Recommender;
  /** Fixed parameters; the tuned one is added to them. */
  readonly defaults?: Params;
  readonly grid?: HyperGrid;
  /** Which validation problem picks the value (default leave-one-out). */
  readonly tuneOn?: 'loo' | 'cold-start';
  /**
   * Protocols the model takes part in (default leave-one-out only). Only models that can score
   * items without interactions belong in cold start; the others would score every new item alike.
   */
  readonly protocols?: readonly ProtocolName[];
  /** Needs item attributes; skipped (with a note) on data without them. */
  readonly needsAttributes?: boolean;
  /**
   * Why the model cannot run on this training view (a size limit), or undefined. Checked before
   * any work, so the report says so instead of the run dying.
   */
  readonly capacity?: (view: TrainView) => string | undefined;
  /** How to rebuild this spec in a child process; the harness then runs the model there (isolated-run.ts). */
  readonly recipe?: SpecRecipe;
  /**
   * The training budget beyond the grid, in words (epochs, caps, early stopping), for the report;
   * `cap` labels a quick row whose training a time cap may cut (e.g. "30 s cap").
   */
  readonly budget?: { readonly text: string; readonly cap?: string };
}

/**
 * A spec as plain data: `require(module)[factory](options)` rebuilds it in another process.
 * `module` is a path without extension, so it resolves to the .ts source under ts-node and to
 * the compiled .js in dist.
 */
export interface SpecRecipe {
  readonly module: string;
  readonly factory: string;
  readonly options: unknown;
}

export interface TuneCriterion {
  readonly protocol: 'loo-sampled' | 'loo-full';
  readonly metric: string;
}

export const LOO_PROTOCOLS: readonly ProtocolName[] = ['loo-sampled', 'loo-full'];

export function specProtocols(spec: ModelSpec): readonly ProtocolName[] {
  return spec.protocols ?? LOO_PROTOCOLS;
}

/** nDCG@10 against sampled negatives, the paper's headline measure (Table 3). */
export const DEFAULT_CRITERION: TuneCriterion = { protocol: 'loo-sampled', metric: 'ndcg@10' };

/** Cold start is judged on the whole recall curve: the mean of Recall@10..100. */
export const COLD_START_CRITERION = 'mean recall@10..100';

export interface TuneCandidate {
  readonly value: number;
  /** Validation metrics, prefixed by protocol (`loo-sampled/ndcg@10`, `cold-start/recall@50`, ...). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly score: number;
  readonly fitSeconds: number;
}

export interface TuneResult {
  readonly model: string;
  readonly seed: number;
  readonly param?: string;
  readonly criterion: string;
  readonly tried: readonly TuneCandidate[];
  readonly chosen: Params;
  readonly seconds: number;
}

export interface TuneOptions {
  readonly seed: number;
  readonly criterion?: TuneCriterion;
  readonly fullExclude?: FullRankingExclusion;
  readonly onStep?: (step: { model: string; value: number; done: number; total: number }) => void;
  readonly onFitProgress?: (progress: FitProgress) => void;
}

export interface ValidationSplits {
  readonly loo?: LooSplit;
  readonly coldStart?: ColdStartSplit;
}

export async function tuneModel(spec: ModelSpec, validation: ValidationSplits, opts: TuneOptions): Promise<TuneResult> {
  const started = performance.now();
  const defaults = spec.defaults ?? {};
  const criterion = opts.criterion ?? DEFAULT_CRITERION;
  const onCold = spec.tuneOn === 'cold-start';
  const criterionName = onCold ? `cold-start ${COLD_START_CRITERION}` : `${criterion.protocol} ${criterion.metric}`;
  if (!spec.grid || spec.grid.values.length === 0) {
    return { model: spec.name, seed: opts.seed, criterion: 'none (nothing to tune)', tried: [], chosen: defaults, seconds: 0 };
  }
  if (spec.grid.values.length > TUNE_BUDGET) {
    throw new RangeError(`${spec.name}: ${spec.grid.values.length} grid values exceed the tuning budget of ${TUNE_BUDGET}`);
  }
  const split = onCold ? validation.coldStart : validation.loo;
  if (!split) throw new Error(`${spec.name}: no ${onCold ? 'cold-start' : 'leave-one-out'} validation split to tune on`);
  const { param, values } = spec.grid;
  const tried: TuneCandidate[] = [];
  for (const value of values) {
    const model = spec.create({ ...defaults, [param]: value });
    const fitStart = performance.now();
    const view = validation[onCold ? 'coldStart' : 'loo']!.view;
    await model.fit(view, { seed: opts.seed, onProgress: opts.onFitProgress });
    const fitSeconds = (performance.now() - fitStart) / 1000;
    const metrics: Record<string, number> = {};
    let score: number;
    if (onCold) {
      const cold = evaluateColdStart(model, validation.coldStart!);
      for (const [k, v] of Object.entries(cold.metrics)) metrics[`cold-start/${k}`] = v;
      const recalls = Object.values(cold.metrics);
      score = recalls.reduce((a, b) => a + b, 0) / recalls.length;
    } else {
      const loo = validation.loo!;
      const sampled = evaluateLooSampled(model, loo, { ks: [10] });
      const full = evaluateLooFull(model, loo, { ks: [10, 20], exclude: opts.fullExclude });
      for (const [k, v] of Object.entries(sampled.metrics)) metrics[`loo-sampled/${k}`] = v;
      for (const [k, v] of Object.entries(full.metrics)) metrics[`loo-full/${k}`] = v;
      score = metrics[`${criterion.protocol}/${criterion.metric}`];
      if (score === undefined) throw new Error(`tuning criterion ${criterionName} is not computed on validation`);
    }
    tried.push({ value, metrics, score, fitSeconds });
    await yieldToEventLoop();
    opts.onStep?.({ model: spec.name, value, done: tried.length, total: values.length });
    if (spec.grid.stopAfter && tried.length - 1 - bestIndex(tried) >= spec.grid.stopAfter) break;
  }
  const best = tried[bestIndex(tried)]!;
  return {
    model: spec.name,
    seed: opts.seed,
    param,
    criterion: criterionName,
    tried,
    chosen: { ...defaults, [param]: best.value },
    seconds: (performance.now() - started) / 1000,
  };
}

// The first (smallest-index) value wins a tie, so the grid order is the tie-break.
function bestIndex(tried: readonly TuneCandidate[]): number {
  let best = 0;
  tried.forEach((c, i) => {
    if (c.score > tried[best]!.score) best = i;
  });
  return best;
}

/**
 * Lets I/O run (child processes' messages, their exits) between long synchronous steps: awaiting
 * a resolved value only yields to other microtasks.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
