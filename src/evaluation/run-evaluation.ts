/**
 * The evaluation run behind `eran evaluate`: per seed, one leave-one-out split and one cold-start
 * split shared by all models; each model tuned on validation splits cut from training data only,
 * fitted, and evaluated under every protocol it supports; results summarised over seeds.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { collectDataset } from '../datasets/collect-dataset';
import type { AttributeRecord, DatasetSource, InteractionRecord } from '../datasets/dataset.types';
import { type AttentionStudyOptions, type AttentionStudyResult, DEFAULT_STUDY_KIND, isInspectable, runAttentionStudy } from './attention-study';
import { baselineSpecs } from './baselines/baseline-specs';
import { type FaithfulnessSummary, measureFaithfulness } from './faithfulness';
import { type CsvWriter, openCsvWriter } from './csv';
import { type InteractionTable, tableFromRecords } from './interaction-table';
import { indexItemAttributes, type ItemAttributes } from './item-attributes';
import {
  evaluateColdStart,
  evaluateLooFull,
  evaluateLooSampled,
  type FullRankingExclusion,
  PROTOCOLS,
  type ProtocolName,
  type ProtocolResult,
  type Recommender,
  type ScoreSink,
} from './protocols';
import { writeReport } from './report';
import {
  buildColdStartSplit,
  buildColdStartValidationSplit,
  buildLooSplit,
  buildValidationSplit,
  type ColdStartSplit,
  DEFAULT_COLD_ITEMS,
  DEFAULT_MIN_BUYERS,
  DEFAULT_MIN_POSITIVES,
  DEFAULT_NUM_NEGATIVES,
  DEFAULT_POSITIVE_THRESHOLD,
  type LooSplit,
  type SplitStats,
} from './split';
import { allInteractions, exportSplit, importSplit, SPLIT_FILES } from './split-io';
import type { TrainView } from './train-view';
import { type Spread, spreadOf } from './stats';
import { withAttributes } from './train-view';
import type { TrainResult } from '../model/trainer';
import {
  DEFAULT_CRITERION,
  type ModelSpec,
  type Params,
  specProtocols,
  type TuneCriterion,
  type TuneResult,
  tuneModel,
  untunedParams,
} from './tune';

/** Interactions (and attributes) already in memory. */
export interface EvaluationData {
  readonly name?: string;
  readonly interactions: readonly InteractionRecord[];
  readonly attributes?: readonly AttributeRecord[];
}

export interface RunEvaluationOptions {
  /** The dataset. Optional only with `splitDir` (then attribute-aware models are skipped). */
  readonly data?: EvaluationData | DatasetSource;
  /** Evaluate on split files (`--split DIR`): DIR/seed-<s>/ per seed, or one split in DIR for all seeds. */
  readonly splitDir?: string;
  /** Write each seed's split (`--export-split DIR`): into DIR, or DIR/seed-<s>/ when there are several seeds. */
  readonly exportSplitDir?: string;
  /** Default [1, 2, 3]. */
  readonly seeds?: readonly number[];
  /** Default: every baseline (baselineSpecs()). */
  readonly models?: readonly ModelSpec[];
  /** Default: all three. */
  readonly protocols?: readonly ProtocolName[];
  readonly positiveThreshold?: number;
  readonly minPositives?: number;
  readonly numNegatives?: number;
  readonly coldStartItems?: number;
  readonly coldStartMinBuyers?: number;
  /** Cold-start items must have values of these kinds (default: every kind in the attributes). */
  readonly coldStartKinds?: readonly string[];
  readonly fullExclude?: FullRankingExclusion;
  /** Tune each model's key hyper-parameter per seed (default true); false uses each grid's `untuned` value. */
  readonly tune?: boolean;
  readonly criterion?: TuneCriterion;
  /** Write report.md, the SVG charts and results.json here. */
  readonly outDir?: string;
  /** Write ranks-<protocol>-seed<s>.csv here (user,item,score; plus model,protocol when several models). */
  readonly ranksDir?: string;
  /** Protocols whose candidates are written to ranksDir (default loo-sampled; loo-full is ~N rows per user). */
  readonly rankProtocols?: readonly ProtocolName[];
  readonly onProgress?: (event: RunProgress) => void;
  /** The attention study and the faithfulness study, for one eRAN model on every seed's leave-one-out split. */
  readonly studies?: StudyOptions;
}

/** Studies of one fitted eRAN model (attention-study.ts, faithfulness.ts); each runs when its field is given. */
export interface StudyOptions {
  /** The study model; when it is also among `models`, its leave-one-out fit is reused. */
  readonly spec: ModelSpec;
  readonly attention?: AttentionStudyOptions;
  readonly faithfulness?: { readonly users?: number; readonly topK?: number };
}

export interface RunProgress {
  readonly stage: 'load' | 'split' | 'tune' | 'fit' | 'evaluate' | 'study' | 'report';
  readonly message: string;
  readonly seed?: number;
  readonly model?: string;
  readonly protocol?: ProtocolName;
  readonly done?: number;
  readonly total?: number;
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
}

export interface SummaryRow {
  readonly model: string;
  readonly protocol: ProtocolName;
  readonly metric: string;
  readonly spread: Spread;
}

export interface SeedSplitInfo {
  readonly seed: number;
  readonly positiveThreshold: number;
  readonly minPositives: number;
  readonly numNegatives: number;
  readonly loo: SplitStats;
  readonly coldStart?: { readonly items: number; readonly candidateItems: number; readonly buyers: number };
}

export interface EvaluationResult {
  readonly dataset: string;
  readonly seeds: readonly number[];
  readonly protocols: readonly ProtocolName[];
  /** The candidate set of each protocol, in words. */
  readonly candidates: Readonly<Partial<Record<ProtocolName, string>>>;
  readonly splits: readonly SeedSplitInfo[];
  readonly settings: Readonly<Record<string, string | number | boolean>>;
  readonly runs: readonly ModelRun[];
  readonly tuning: readonly TuneResult[];
  readonly summary: readonly SummaryRow[];
  readonly notes: readonly string[];
  readonly totalSeconds: number;
  /** Per seed, with `studies.attention`. */
  readonly attentionStudy?: readonly AttentionStudyResult[];
  /** Per seed, with `studies.faithfulness`. */
  readonly faithfulness?: readonly FaithfulnessSummary[];
}

export async function runEvaluation(opts: RunEvaluationOptions): Promise<EvaluationResult> {
  const started = performance.now();
  const seeds = opts.seeds ?? [1, 2, 3];
  const protocols = opts.protocols ?? PROTOCOLS;
  const specs = opts.models ?? baselineSpecs();
  const threshold = opts.positiveThreshold ?? DEFAULT_POSITIVE_THRESHOLD;
  const progress = opts.onProgress ?? ((): void => undefined);
  const notes: string[] = [];
  if (!opts.data && !opts.splitDir) throw new Error('runEvaluation: give `data`, `splitDir`, or both');

  progress({ stage: 'load', message: 'reading the dataset' });
  const data = opts.data ? await materialise(opts.data) : undefined;
  const attributeRecords = data?.attributes && data.attributes.length > 0 ? data.attributes : undefined;
  const runnable = specs.filter((s) => {
    if (s.needsAttributes && !attributeRecords) {
      notes.push(`${s.name} skipped: the data has no item attributes`);
      return false;
    }
    return true;
  });
  const table = data ? tableFromRecords(data.interactions) : undefined;

  const runs: ModelRun[] = [];
  const tuning: TuneResult[] = [];
  const splits: SeedSplitInfo[] = [];
  const candidates: Partial<Record<ProtocolName, string>> = {};
  const attentionStudy: AttentionStudyResult[] = [];
  const faithfulness: FaithfulnessSummary[] = [];
  for (const seed of seeds) {
    progress({ stage: 'split', seed, message: `seed ${seed}: building splits` });
    const { loo, coldItemIds } = await looSplitFor(seed, opts, table, notes);
    const attributes = attributeRecords ? indexItemAttributes(attributeRecords, loo.itemIds) : undefined;
    const looView = withAttributes(loo.view, attributes);
    const cold = protocols.includes('cold-start') ? coldSplitFor(seed, loo, coldItemIds, attributes, opts) : undefined;
    const coldView = cold ? withAttributes(cold.view, attributes) : undefined;
    if (opts.exportSplitDir) {
      await exportSplit(loo, seeds.length > 1 ? join(opts.exportSplitDir, `seed-${seed}`) : opts.exportSplitDir, cold);
    }
    splits.push({
      seed,
      positiveThreshold: loo.positiveThreshold,
      minPositives: loo.minPositives,
      numNegatives: loo.numNegatives,
      loo: loo.stats,
      ...(cold
        ? { coldStart: { items: cold.coldItems.length, candidateItems: cold.candidateItems, buyers: cold.buyers.reduce((a, b) => a + b.length, 0) } }
        : {}),
    });

    const rankFiles = createRankFiles(opts, seed, runnable, protocols);
    const tuneOn = opts.tune ?? true;
    const validation = tuneOn ? validationSplits(loo, cold, attributes, opts) : undefined;
    let studyFit: { model: Recommender; params: Params } | undefined;
    const variantRuns: ModelRun[] = [];
    for (const spec of runnable) {
      const wanted = specProtocols(spec).filter((p) => protocols.includes(p));
      if (wanted.length === 0) continue;
      progress({ stage: 'tune', seed, model: spec.name, message: `seed ${seed}: tuning ${spec.name}` });
      const tuned = validation
        ? await tuneModel(spec, validation, {
            seed,
            criterion: opts.criterion ?? DEFAULT_CRITERION,
            fullExclude: opts.fullExclude,
            onStep: (s) => progress({ stage: 'tune', seed, model: spec.name, done: s.done, total: s.total, message: `${spec.name} ${spec.grid?.param}=${s.value}` }),
          })
        : undefined;
      if (tuned) tuning.push(tuned);
      const params = tuned?.chosen ?? untunedParams(spec);
      const results: ProtocolRun[] = [];
      let fitSeconds = 0;
      let coldFitSeconds: number | undefined;
      let training: ModelRun['training'];
      const loops = wanted.filter((p) => p !== 'cold-start');
      if (loops.length > 0) {
        progress({ stage: 'fit', seed, model: spec.name, message: `seed ${seed}: fitting ${spec.name}` });
        const model = spec.create(params);
        const t = performance.now();
        await model.fit(looView, { seed });
        fitSeconds = (performance.now() - t) / 1000;
        training = trainingCurve(model);
        if (spec.name === opts.studies?.spec.name) studyFit = { model, params };
        for (const protocol of loops) {
          const onScores = await rankFiles.sink(protocol, spec.name, loo.userIds, loo.itemIds);
          const onProgress = evalProgress(progress, seed, spec.name);
          const result =
            protocol === 'loo-sampled'
              ? evaluateLooSampled(model, loo, { onProgress, onScores })
              : evaluateLooFull(model, loo, { onProgress, onScores, exclude: opts.fullExclude });
          results.push(stripRanks(result));
          candidates[protocol] = result.candidates;
        }
      }
      if (wanted.includes('cold-start') && cold && coldView) {
        progress({ stage: 'fit', seed, model: spec.name, message: `seed ${seed}: fitting ${spec.name} for cold start` });
        const model = spec.create(params);
        const t = performance.now();
        await model.fit(coldView, { seed });
        coldFitSeconds = (performance.now() - t) / 1000;
        const onScores = await rankFiles.sink('cold-start', spec.name, cold.userIds, cold.itemIds);
        const result = evaluateColdStart(model, cold, { onProgress: evalProgress(progress, seed, spec.name), onScores });
        results.push(stripRanks(result));
        candidates['cold-start'] = result.candidates;
        // eq. 14 variants of the same fit (paper 5.2 compares them): one cold-start row each.
        for (const variant of model.coldVariants?.() ?? []) {
          const variantName = `${spec.name} ${variant.suffix}`;
          const r = evaluateColdStart(variant.model, cold, { onProgress: evalProgress(progress, seed, variantName) });
          variantRuns.push({ seed, model: variantName, params, tuneSeconds: 0, fitSeconds: 0, results: [stripRanks(r)] });
        }
      }
      runs.push({
        seed,
        model: spec.name,
        params,
        tuneSeconds: tuned?.seconds ?? 0,
        fitSeconds,
        ...(coldFitSeconds === undefined ? {} : { coldFitSeconds }),
        results,
        ...(training ? { training } : {}),
      });
      runs.push(...variantRuns.splice(0));
    }
    await rankFiles.close();
    if (opts.studies) {
      const done = await runStudies(opts.studies, { seed, loo, view: looView, fitted: studyFit, hasAttributes: attributes !== undefined, notes, progress });
      if (done.attention) attentionStudy.push(done.attention);
      if (done.faithfulness) faithfulness.push(done.faithfulness);
    }
  }

  const result: EvaluationResult = {
    dataset: data?.name ?? `split:${opts.splitDir}`,
    seeds,
    protocols,
    candidates,
    splits,
    settings: {
      // From the splits themselves: an imported split brings its own.
      positiveThreshold: splits[0]?.positiveThreshold ?? threshold,
      minPositives: splits[0]?.minPositives ?? DEFAULT_MIN_POSITIVES,
      numNegatives: splits[0]?.numNegatives ?? DEFAULT_NUM_NEGATIVES,
      coldStartItems: opts.coldStartItems ?? DEFAULT_COLD_ITEMS,
      coldStartMinBuyers: opts.coldStartMinBuyers ?? DEFAULT_MIN_BUYERS,
      fullExclude: opts.fullExclude ?? 'interactions',
      tuned: opts.tune ?? true,
      criterion: `${(opts.criterion ?? DEFAULT_CRITERION).protocol} ${(opts.criterion ?? DEFAULT_CRITERION).metric}`,
      ...(opts.splitDir ? { splitDir: opts.splitDir } : {}),
    },
    runs,
    tuning,
    summary: summarise(runs),
    notes,
    totalSeconds: (performance.now() - started) / 1000,
    ...(attentionStudy.length ? { attentionStudy } : {}),
    ...(faithfulness.length ? { faithfulness } : {}),
  };
  if (opts.outDir) {
    progress({ stage: 'report', message: `writing the report to ${opts.outDir}` });
    await writeReport(result, opts.outDir);
  }
  return result;
}

/**
 * One seed's studies of the study model: its leave-one-out fit (reused, or fitted here with the
 * untuned parameters), the attention study (one more fit without the study kind) and faithfulness.
 * A study that cannot run on this data (no attributes, no such kind) leaves a note instead.
 */
async function runStudies(
  studies: StudyOptions,
  ctx: {
    seed: number;
    loo: LooSplit;
    view: TrainView;
    fitted?: { model: Recommender; params: Params };
    hasAttributes: boolean;
    notes: string[];
    progress: (e: RunProgress) => void;
  },
): Promise<{ attention?: AttentionStudyResult; faithfulness?: FaithfulnessSummary }> {
  const { spec } = studies;
  const { seed, loo, view, notes, progress } = ctx;
  const note = (text: string): void => {
    if (!notes.includes(text)) notes.push(text);
  };
  if (!ctx.hasAttributes) {
    note(`studies skipped: ${spec.name} needs item attributes and the data has none`);
    return {};
  }
  const params = ctx.fitted?.params ?? untunedParams(spec);
  let model = ctx.fitted?.model;
  if (!model) {
    progress({ stage: 'fit', seed, model: spec.name, message: `seed ${seed}: fitting ${spec.name} for the studies` });
    model = spec.create(params);
    await model.fit(view, { seed });
  }
  if (!isInspectable(model)) {
    note(`studies skipped: ${spec.name} is not an eRAN model (nothing to inspect)`);
    return {};
  }
  const out: { attention?: AttentionStudyResult; faithfulness?: FaithfulnessSummary } = {};
  if (studies.attention) {
    const kind = studies.attention.kind ?? DEFAULT_STUDY_KIND;
    const kinds = view.attributes?.kinds ?? [];
    if (!kinds.includes(kind) || kinds.length < 2) {
      note(`attention study skipped: it needs the kind "${kind}" and at least one other (the data has ${kinds.join(', ') || 'none'}); choose one with --study-kind`);
    } else {
      progress({ stage: 'study', seed, model: spec.name, message: `seed ${seed}: attention study (${spec.name} without ${kind})` });
      out.attention = await runAttentionStudy({ split: loo, view, full: model, create: () => spec.create(params), seed }, studies.attention);
    }
  }
  if (studies.faithfulness) {
    progress({ stage: 'study', seed, model: spec.name, message: `seed ${seed}: explanation faithfulness (${spec.name})` });
    out.faithfulness = measureFaithfulness(model, loo, view, { seed, ...studies.faithfulness }).summary;
  }
  return out;
}

/** Mean and spread over seeds of every (model, protocol, metric). */
export function summarise(runs: readonly ModelRun[]): SummaryRow[] {
  const groups = new Map<string, { model: string; protocol: ProtocolName; metric: string; values: number[] }>();
  for (const run of runs) {
    for (const r of run.results) {
      for (const [metric, value] of Object.entries(r.metrics)) {
        const key = `${run.model}\u0000${r.protocol}\u0000${metric}`;
        const g = groups.get(key) ?? { model: run.model, protocol: r.protocol, metric, values: [] };
        g.values.push(value);
        groups.set(key, g);
      }
    }
  }
  return [...groups.values()].map((g) => ({ model: g.model, protocol: g.protocol, metric: g.metric, spread: spreadOf(g.values) }));
}

/** The per-epoch losses of a model that keeps a training history (eRAN's lastTraining), else undefined. */
function trainingCurve(model: Recommender): ModelRun['training'] {
  const last = (model as { lastTraining?: () => TrainResult | null }).lastTraining?.();
  if (!last) return undefined;
  return last.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss.total, ...(e.validation === undefined ? {} : { validation: e.validation }) }));
}

async function materialise(data: EvaluationData | DatasetSource): Promise<EvaluationData> {
  if (!isSource(data)) return data;
  const collected = await collectDataset(data);
  return { name: collected.name, interactions: collected.interactions, attributes: collected.attributes };
}

function isSource(data: EvaluationData | DatasetSource): data is DatasetSource {
  return typeof (data as DatasetSource).interactions === 'function';
}

async function looSplitFor(
  seed: number,
  opts: RunEvaluationOptions,
  table: InteractionTable | undefined,
  notes: string[],
): Promise<{ loo: LooSplit; coldItemIds?: readonly string[] }> {
  if (opts.splitDir) {
    const perSeed = join(opts.splitDir, `seed-${seed}`);
    const dir = (await exists(join(perSeed, SPLIT_FILES.train))) ? perSeed : opts.splitDir;
    if (dir === opts.splitDir && (opts.seeds?.length ?? 3) > 1) {
      const note = `one split (${dir}) is shared by all seeds: the spread reflects model randomness only`;
      if (!notes.includes(note)) notes.push(note);
    }
    return importSplit(dir, { seed, positiveThreshold: opts.positiveThreshold });
  }
  if (!table) throw new Error('runEvaluation: no data to split and no splitDir');
  const loo = buildLooSplit(table, {
    seed,
    positiveThreshold: opts.positiveThreshold,
    minPositives: opts.minPositives,
    numNegatives: opts.numNegatives,
  });
  return { loo };
}

// The cold-start split is cut from the leave-one-out split's interactions (train + test: every
// interaction of the eligible users), so an exported and re-imported split rebuilds it exactly.
function coldSplitFor(
  seed: number,
  loo: LooSplit,
  coldItemIds: readonly string[] | undefined,
  attributes: ItemAttributes | undefined,
  opts: RunEvaluationOptions,
): ColdStartSplit {
  return buildColdStartSplit(allInteractions(loo), {
    seed,
    positiveThreshold: loo.positiveThreshold,
    minPositives: loo.minPositives,
    numItems: opts.coldStartItems,
    minBuyers: opts.coldStartMinBuyers,
    itemFilter: coldItemFilter(loo.itemIds, attributes, opts.coldStartKinds),
    coldItemIds,
  });
}

// Items with at least one value of every required kind: a new item is judged on its attributes.
function coldItemFilter(
  itemIds: readonly string[],
  attributes: ItemAttributes | undefined,
  kinds: readonly string[] | undefined,
): ((itemId: string) => boolean) | undefined {
  if (!attributes) return undefined;
  const required = attributes.byKind.filter((k) => (kinds ?? attributes.kinds).includes(k.kind));
  const ok = new Set<string>();
  itemIds.forEach((id, i) => {
    if (required.every((k) => k.indptr[i + 1] > k.indptr[i])) ok.add(id);
  });
  return (id) => ok.has(id);
}

function validationSplits(
  loo: LooSplit,
  cold: ColdStartSplit | undefined,
  attributes: ItemAttributes | undefined,
  opts: RunEvaluationOptions,
): { loo: LooSplit; coldStart?: ColdStartSplit } {
  const v = buildValidationSplit(loo);
  const looValidation: LooSplit = { ...v, view: withAttributes(v.view, attributes) };
  if (!cold) return { loo: looValidation };
  const c = buildColdStartValidationSplit(cold, {
    numItems: opts.coldStartItems,
    minBuyers: opts.coldStartMinBuyers,
    itemFilter: coldItemFilter(cold.itemIds, attributes, opts.coldStartKinds),
  });
  return { loo: looValidation, coldStart: { ...c, view: withAttributes(c.view, attributes) } };
}

function evalProgress(progress: (e: RunProgress) => void, seed: number, model: string) {
  return (p: { protocol: ProtocolName; done: number; total: number }): void =>
    progress({ stage: 'evaluate', seed, model, protocol: p.protocol, done: p.done, total: p.total, message: `${model} ${p.protocol}` });
}

interface RankFiles {
  sink(protocol: ProtocolName, model: string, userIds: readonly string[], itemIds: readonly string[]): Promise<ScoreSink | undefined>;
  close(): Promise<void>;
}

// One ranks file per (protocol, seed): ranks-<protocol>-seed<s>.csv with user,item,score per
// candidate, plus model,protocol columns when several models share the file.
function createRankFiles(
  opts: RunEvaluationOptions,
  seed: number,
  specs: readonly ModelSpec[],
  protocols: readonly ProtocolName[],
): RankFiles {
  const wanted = (opts.rankProtocols ?? ['loo-sampled']).filter((p) => protocols.includes(p));
  const writers = new Map<ProtocolName, { writer: CsvWriter; tagged: boolean }>();
  return {
    async sink(protocol, model, userIds, itemIds) {
      if (!opts.ranksDir || !wanted.includes(protocol)) return undefined;
      let entry = writers.get(protocol);
      if (!entry) {
        await fs.mkdir(opts.ranksDir, { recursive: true });
        const tagged = specs.filter((s) => specProtocols(s).includes(protocol)).length > 1;
        const header = tagged ? ['user', 'item', 'score', 'model', 'protocol'] : ['user', 'item', 'score'];
        entry = { writer: openCsvWriter(join(opts.ranksDir, `ranks-${protocol}-seed${seed}.csv`), header), tagged };
        writers.set(protocol, entry);
      }
      const { writer, tagged } = entry;
      return (u, cands, scores) => {
        for (let k = 0; k < cands.length; k++) {
          const base = [userIds[u], itemIds[cands[k]], scores[k]];
          writer.write(tagged ? [...base, model, protocol] : base);
        }
      };
    },
    async close() {
      for (const { writer } of writers.values()) await writer.close();
    },
  };
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

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}
