/**
 * One model on one seed: tune, fit, evaluate every protocol it takes part in, write its rank
 * parts, and run the studies when it is the study model. Everything it needs comes in as plain
 * data (SeedInputs, ModelJob) and everything it returns is plain data (ModelOutcome), so the same
 * function runs in the harness's process or in a child process (isolated-run.ts).
 */
import type { AttentionStudyOptions, AttentionStudyResult } from './attention-study';
import { DEFAULT_STUDY_KIND, isInspectable, runAttentionStudy } from './attention-study';
import { type FaithfulnessSummary, measureFaithfulness } from './faithfulness';
import {
  evaluateColdStart,
  evaluateLooFull,
  evaluateLooSampled,
  type FitProgress,
  type FullRankingExclusion,
  type ProtocolName,
  type ProtocolResult,
  type Recommender,
} from './protocols';
import { openRankParts, type RankExport } from './rank-files';
import type { ColdStartSplit, LooSplit } from './split';
import type { TrainResult } from '../model/trainer';
import {
  DEFAULT_CRITERION,
  type ModelSpec,
  type Params,
  type TuneCriterion,
  type TuneResult,
  tuneModel,
  untunedParams,
  type ValidationSplits,
  yieldToEventLoop,
} from './tune';

/** One seed's problem, shared by every model of the seed; views carry the item attributes. */
export interface SeedInputs {
  readonly seed: number;
  readonly loo: LooSplit;
  readonly cold?: ColdStartSplit;
  /** Present when tuning is on. */
  readonly validation?: ValidationSplits;
  readonly fullExclude?: FullRankingExclusion;
  readonly criterion?: TuneCriterion;
  readonly ranks?: RankExport;
  readonly hasAttributes: boolean;
}

export interface ModelJob {
  /** Protocols to evaluate (may be none: a study-only fit). */
  readonly protocols: readonly ProtocolName[];
  readonly studies?: { readonly attention?: AttentionStudyOptions; readonly faithfulness?: { readonly users?: number; readonly topK?: number } };
}

export interface ProtocolRun {
  readonly protocol: ProtocolName;
  readonly metrics: Readonly<Record<string, number>>;
  readonly evaluated: number;
  readonly candidates: string;
  readonly seconds: number;
}

export interface ModelRun {
  readonly seed: number;
  readonly model: string;
  readonly params: Params;
  readonly tuneSeconds: number;
  readonly fitSeconds: number;
  /** Fit time on the cold-start split (a second fit), when the model runs cold start. */
  readonly coldFitSeconds?: number;
  readonly results: readonly ProtocolRun[];
  /** eRAN models: per epoch of the leave-one-out fit, the mean training loss and the validation metric if any. */
  readonly training?: ReadonlyArray<{ readonly epoch: number; readonly loss: number; readonly validation?: number }>;
  /** eRAN models: why the leave-one-out fit's training stopped (epochs, patience, time). */
  readonly stopReason?: string;
}

export interface ModelOutcome {
  /** The model's run, then one per extra scoring rule of the same fit (cold-start eq. 14 variants). */
  readonly runs: readonly ModelRun[];
  readonly tuning?: TuneResult;
  readonly candidates: Readonly<Partial<Record<ProtocolName, string>>>;
  readonly attention?: AttentionStudyResult;
  readonly faithfulness?: FaithfulnessSummary;
  readonly notes: readonly string[];
}

export interface ModelProgress {
  readonly stage: 'tune' | 'fit' | 'evaluate' | 'study';
  readonly message: string;
  readonly protocol?: ProtocolName;
  readonly done?: number;
  readonly total?: number;
}

export async function runModelOnSeed(
  spec: ModelSpec,
  inputs: SeedInputs,
  job: ModelJob,
  progress: (event: ModelProgress) => void = () => undefined,
): Promise<ModelOutcome> {
  const { seed, loo, cold } = inputs;
  const notes: string[] = [];
  const candidates: Partial<Record<ProtocolName, string>> = {};
  const steps = spec.grid?.values.length ?? 0;
  let tuned: TuneResult | undefined;
  if (inputs.validation && steps > 0) {
    progress({ stage: 'tune', message: `tuning ${spec.name}`, done: 0, total: steps });
    tuned = await tuneModel(spec, inputs.validation, {
      seed,
      criterion: inputs.criterion ?? DEFAULT_CRITERION,
      fullExclude: inputs.fullExclude,
      onStep: (s) => progress({ stage: 'tune', message: `${spec.name} ${spec.grid?.param}=${s.value}`, done: s.done, total: steps }),
      // A validation fit of eRAN runs for minutes: its steps show as a fit bar between the tuning steps.
      onFitProgress: (p) => progress({ stage: 'fit', message: `${spec.name}: validation fit`, done: p.done, total: Math.max(p.total, p.done) }),
    });
  }
  const params = tuned?.chosen ?? untunedParams(spec);
  const fitProgress = (what: string) => (p: FitProgress) => progress({ stage: 'fit', message: what, done: p.done, total: Math.max(p.total, p.done) });
  const parts = await openRankParts(inputs.ranks, seed, spec.name, { loo, ...(cold ? { cold } : {}) }, job.protocols);
  const results: ProtocolRun[] = [];
  const variantRuns: ModelRun[] = [];
  let fitSeconds = 0;
  let coldFitSeconds: number | undefined;
  let training: ModelRun['training'];
  let stopReason: string | undefined;
  let looModel: Recommender | undefined;
  const loops = job.protocols.filter((p) => p !== 'cold-start');
  try {
    if (loops.length > 0 || job.studies) {
      progress({ stage: 'fit', message: `fitting ${spec.name}`, done: 0, total: 1 });
      looModel = spec.create(params);
      const t = performance.now();
      await looModel.fit(loo.view, { seed, onProgress: fitProgress(`fitting ${spec.name}`) });
      fitSeconds = (performance.now() - t) / 1000;
      const last = lastTraining(looModel);
      training = last?.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss.total, ...(e.validation === undefined ? {} : { validation: e.validation }) }));
      stopReason = last?.stopReason;
      for (const protocol of loops) {
        const onProgress = (p: { protocol: ProtocolName; done: number; total: number }): void =>
          progress({ stage: 'evaluate', protocol: p.protocol, message: `${spec.name} ${p.protocol}`, done: p.done, total: p.total });
        const result: ProtocolResult =
          protocol === 'loo-sampled'
            ? evaluateLooSampled(looModel, loo, { onProgress, onScores: parts.sampled })
            : evaluateLooFull(looModel, loo, { onProgress, onTopList: parts.full, topListLength: inputs.ranks?.fullTop, exclude: inputs.fullExclude });
        results.push(stripRanks(result));
        candidates[protocol] = result.candidates;
        await yieldToEventLoop();
      }
    }
    if (job.protocols.includes('cold-start') && cold) {
      progress({ stage: 'fit', message: `fitting ${spec.name} for cold start`, done: 0, total: 1 });
      const model = spec.create(params);
      const t = performance.now();
      await model.fit(cold.view, { seed, onProgress: fitProgress(`fitting ${spec.name} for cold start`) });
      coldFitSeconds = (performance.now() - t) / 1000;
      const onProgress =
        (name: string) =>
        (p: { protocol: ProtocolName; done: number; total: number }): void =>
          progress({ stage: 'evaluate', protocol: p.protocol, message: `${name} ${p.protocol}`, done: p.done, total: p.total });
      const result = evaluateColdStart(model, cold, { onProgress: onProgress(spec.name), onScores: parts.cold });
      results.push(stripRanks(result));
      candidates['cold-start'] = result.candidates;
      // eq. 14 variants of the same fit (paper 5.2 compares them): one cold-start row each.
      for (const variant of model.coldVariants?.() ?? []) {
        const variantName = `${spec.name} ${variant.suffix}`;
        const r = evaluateColdStart(variant.model, cold, { onProgress: onProgress(variantName) });
        variantRuns.push({ seed, model: variantName, params, tuneSeconds: 0, fitSeconds: 0, results: [stripRanks(r)] });
      }
    }
  } finally {
    await parts.close();
  }
  const studies = job.studies && looModel ? await runStudies(spec, params, looModel, inputs, job.studies, notes, progress) : {};
  const runs: ModelRun[] =
    job.protocols.length === 0
      ? []
      : [
          {
            seed,
            model: spec.name,
            params,
            tuneSeconds: tuned?.seconds ?? 0,
            fitSeconds,
            ...(coldFitSeconds === undefined ? {} : { coldFitSeconds }),
            results,
            ...(training ? { training } : {}),
            ...(stopReason ? { stopReason } : {}),
          },
          ...variantRuns,
        ];
  return { runs, ...(tuned ? { tuning: tuned } : {}), candidates, ...studies, notes };
}

/**
 * The studies of the study model on its leave-one-out fit: the attention study (one more fit
 * without the study kind) and faithfulness. A study that cannot run on this data (no attributes,
 * no such kind) leaves a note instead.
 */
async function runStudies(
  spec: ModelSpec,
  params: Params,
  model: Recommender,
  inputs: SeedInputs,
  studies: NonNullable<ModelJob['studies']>,
  notes: string[],
  progress: (event: ModelProgress) => void,
): Promise<{ attention?: AttentionStudyResult; faithfulness?: FaithfulnessSummary }> {
  const { seed, loo } = inputs;
  if (!inputs.hasAttributes) {
    notes.push(`studies skipped: ${spec.name} needs item attributes and the data has none`);
    return {};
  }
  if (!isInspectable(model)) {
    notes.push(`studies skipped: ${spec.name} is not an eRAN model (nothing to inspect)`);
    return {};
  }
  const out: { attention?: AttentionStudyResult; faithfulness?: FaithfulnessSummary } = {};
  if (studies.attention) {
    const kind = studies.attention.kind ?? DEFAULT_STUDY_KIND;
    const kinds = loo.view.attributes?.kinds ?? [];
    if (!kinds.includes(kind) || kinds.length < 2) {
      notes.push(
        `attention study skipped: it needs the kind "${kind}" and at least one other (the data has ${kinds.join(', ') || 'none'}); choose one with --study-kind`,
      );
    } else {
      progress({ stage: 'study', message: `attention study (${spec.name} without ${kind})` });
      out.attention = await runAttentionStudy({ split: loo, view: loo.view, full: model, create: () => spec.create(params), seed }, studies.attention);
    }
  }
  if (studies.faithfulness) {
    progress({ stage: 'study', message: `explanation faithfulness (${spec.name})` });
    out.faithfulness = measureFaithfulness(model, loo, loo.view, { seed, ...studies.faithfulness }).summary;
  }
  return out;
}

/** The training history of a model that keeps one (eRAN's lastTraining), else undefined. */
function lastTraining(model: Recommender): TrainResult | null | undefined {
  return (model as { lastTraining?: () => TrainResult | null }).lastTraining?.();
}

function stripRanks(result: ProtocolResult): ProtocolRun {
  return {
    protocol: result.protocol,
    metrics: result.metrics,
    evaluated: result.evaluated,
    candidates: result.candidates,
    seconds: result.seconds,
  };
}
