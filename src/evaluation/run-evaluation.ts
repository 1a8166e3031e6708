/**
 * The evaluation run behind `eran evaluate`: per seed, one leave-one-out split and one cold-start
 * split shared by all models; each model tuned on validation splits cut from training data only,
 * fitted, and evaluated under every protocol it supports; results summarised over seeds.
 */
import { promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { collectDataset } from '../datasets/collect-dataset';
import type { AttributeRecord, DatasetSource, InteractionRecord } from '../datasets/dataset.types';
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionStudyOptions, AttentionStudyResult } from './attention-study';
import { baselineSpecs } from './baselines/baseline-specs';
import type { FaithfulnessSummary } from './faithfulness';
import { type InteractionTable, tableFromRecords } from './interaction-table';
import { runIsolated, writeSeedInputs } from './isolated-run';
import { indexItemAttributes, type ItemAttributes } from './item-attributes';
import { type ModelJob, type ModelOutcome, type ModelProgress, type ModelRun, runModelOnSeed, type SeedInputs } from './model-run';
import { type FullRankingExclusion, PROTOCOLS, type ProtocolName } from './protocols';
import { DEFAULT_FULL_TOP, RankFileSet, type RankExport } from './rank-files';
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
import { type Spread, spreadOf } from './stats';
import { withAttributes } from './train-view';
import { type BackendPreference, initBackend } from '../model/backend';
import { DEFAULT_CRITERION, type ModelSpec, specProtocols, type TuneCriterion, type TuneResult } from './tune';

export type { ModelRun, ProtocolRun } from './model-run';

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
  /** Write ranks-<protocol>-seed<s>.csv here (rank-files.ts; plus model,protocol when several models). */
  readonly ranksDir?: string;
  /** Protocols whose ranks are written to ranksDir (default every protocol run; loo-full keeps each user's top 100 and target). */
  readonly rankProtocols?: readonly ProtocolName[];
  /**
   * Run models that carry a recipe (eRAN) in a child process each (default true), so that a crash
   * there (a wasm abort) fails that model only. Any model that throws is reported as failed either way.
   */
  readonly isolate?: boolean;
  /** tfjs backend for EASE's solve and the eRAN fits (default: the active one, else `auto`). */
  readonly backend?: BackendPreference;
  /**
   * Units (model, seed) run at once (default: the machine's cores): one in this process, the
   * others in child processes (isolated models), so the eRAN fits overlap the baselines.
   */
  readonly concurrency?: number;
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
  readonly stage: 'load' | 'split' | 'model' | 'tune' | 'fit' | 'evaluate' | 'study' | 'report';
  readonly message: string;
  readonly seed?: number;
  readonly model?: string;
  readonly protocol?: ProtocolName;
  /** Within the stage (tuning values, training steps, users); done <= total. */
  readonly done?: number;
  readonly total?: number;
  /** The whole run: (seed, model) units finished and planned. */
  readonly units?: { readonly done: number; readonly total: number };
  /** Stage `model`: the model failed on this seed with this error. */
  readonly error?: string;
}

/** A model that threw (or whose process died) on a seed: its error, nothing else of it is kept. */
export interface ModelFailure {
  readonly seed: number;
  readonly model: string;
  readonly error: string;
  readonly seconds: number;
}

/** What each model was given: tuning, epochs, caps, early stopping. */
export interface ModelBudget {
  readonly model: string;
  readonly budget: string;
  /** A quick row's label: its training may be cut by this cap, so it need not show the model at its best. */
  readonly cap?: string;
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
  /** Models that failed on a seed (their rows average the other seeds). */
  readonly failures: readonly ModelFailure[];
  readonly budgets: readonly ModelBudget[];
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
  const note = (text: string): void => {
    if (!notes.includes(text)) notes.push(text);
  };
  if (!opts.data && !opts.splitDir) throw new Error('runEvaluation: give `data`, `splitDir`, or both');
  const backend = await ensureBackend(opts.backend);
  const isolate = opts.isolate ?? true;
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? availableParallelism()));

  progress({ stage: 'load', message: 'reading the dataset' });
  const data = opts.data ? await materialise(opts.data) : undefined;
  const attributeRecords = data?.attributes && data.attributes.length > 0 ? data.attributes : undefined;
  const runnable = specs.filter((s) => {
    if (s.needsAttributes && !attributeRecords) {
      note(`${s.name} skipped: the data has no item attributes`);
      return false;
    }
    return true;
  });
  const table = data ? tableFromRecords(data.interactions) : undefined;
  const plan = planUnits(runnable, protocols, opts.studies);
  const units = { done: 0, total: plan.length * seeds.length };

  const runs: ModelRun[] = [];
  const tuning: TuneResult[] = [];
  const splits: SeedSplitInfo[] = [];
  const failures: ModelFailure[] = [];
  const candidates: Partial<Record<ProtocolName, string>> = {};
  const attentionStudy: AttentionStudyResult[] = [];
  const faithfulness: FaithfulnessSummary[] = [];
  for (const seed of seeds) {
    progress({ stage: 'split', seed, message: `seed ${seed}: building splits` });
    const { loo, coldItemIds } = await looSplitFor(seed, opts, table, notes);
    const attributes = attributeRecords ? indexItemAttributes(attributeRecords, loo.itemIds) : undefined;
    const cold = protocols.includes('cold-start') ? coldSplitFor(seed, loo, coldItemIds, attributes, opts) : undefined;
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

    const ranks = rankExport(opts, runnable, protocols);
    const inputs: SeedInputs = {
      seed,
      loo: { ...loo, view: withAttributes(loo.view, attributes) },
      ...(cold ? { cold: { ...cold, view: withAttributes(cold.view, attributes) } } : {}),
      ...((opts.tune ?? true) ? { validation: validationSplits(loo, cold, attributes, opts) } : {}),
      fullExclude: opts.fullExclude,
      criterion: opts.criterion ?? DEFAULT_CRITERION,
      ...(ranks ? { ranks } : {}),
      hasAttributes: attributes !== undefined,
    };
    const rankFiles = new RankFileSet(ranks, seed);
    const inputsFile = isolate && plan.some((u) => u.spec.recipe) ? await writeSeedInputs(inputs) : undefined;
    const runUnit = async ({ spec, job }: { spec: ModelSpec; job: ModelJob }): Promise<UnitResult> => {
      const unitStart = performance.now();
      progress({ stage: 'model', seed, model: spec.name, message: `seed ${seed}: ${spec.name}`, units: { ...units } });
      const forward = (e: ModelProgress): void => progress({ ...e, seed, model: spec.name, units: { ...units } });
      try {
        const refusal = spec.capacity?.(inputs.loo.view) ?? (inputs.cold ? spec.capacity?.(inputs.cold.view) : undefined);
        if (refusal) return { refusal };
        const outcome =
          spec.recipe && isolate
            ? await runIsolated({ recipe: spec.recipe, inputsFile: inputsFile!, job, backend }, forward)
            : await runModelOnSeed(spec, inputs, job, forward);
        return { outcome };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        progress({ stage: 'model', seed, model: spec.name, message: `seed ${seed}: ${spec.name} failed`, error: message, units: { ...units } });
        return { failure: { seed, model: spec.name, error: message, seconds: (performance.now() - unitStart) / 1000 } };
      } finally {
        units.done++;
      }
    };
    // Results are merged in plan order whatever order the units finish in, so the report and
    // the rank files do not depend on the schedule.
    let unitResults: UnitResult[];
    try {
      unitResults = await runConcurrently(plan, runUnit, isolate ? (u) => u.spec.recipe !== undefined : () => false, concurrency);
    } finally {
      if (inputsFile) await fs.rm(inputsFile, { force: true });
    }
    for (const [k, { spec, job }] of plan.entries()) {
      const r = unitResults[k]!;
      if ('refusal' in r) {
        note(`${spec.name} not run on seed ${seed}: ${r.refusal}`);
      } else if ('failure' in r) {
        await rankFiles.discard(spec.name);
        failures.push(r.failure);
      } else {
        const outcome = r.outcome;
        await rankFiles.commit(spec.name, job.protocols);
        runs.push(...outcome.runs);
        if (outcome.tuning) tuning.push(outcome.tuning);
        Object.assign(candidates, outcome.candidates);
        outcome.notes.forEach(note);
        if (outcome.attention) attentionStudy.push(outcome.attention);
        if (outcome.faithfulness) faithfulness.push(outcome.faithfulness);
      }
    }
    await rankFiles.finish();
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
      backend: tf.getBackend(),
      ...(opts.splitDir ? { splitDir: opts.splitDir } : {}),
    },
    runs,
    tuning,
    summary: summarise(runs),
    notes,
    failures,
    budgets: runnable.map((spec) => budgetOf(spec, opts.tune ?? true)),
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

type UnitResult = { readonly outcome: ModelOutcome } | { readonly failure: ModelFailure } | { readonly refusal: string };

/**
 * Runs every item, in order within each lane: items `inChild` picks share `slots - 1` lanes (child
 * processes, started as lanes free up), the others run one at a time here; with one slot,
 * everything runs one at a time in order. Results come back in the items' order.
 */
async function runConcurrently<T, R>(items: readonly T[], run: (item: T) => Promise<R>, inChild: (item: T) => boolean, slots: number): Promise<R[]> {
  const results = new Array<R>(items.length);
  if (slots <= 1) {
    for (const [k, item] of items.entries()) results[k] = await run(item);
    return results;
  }
  const local = [...items.keys()].filter((k) => !inChild(items[k]!));
  const remote = [...items.keys()].filter((k) => inChild(items[k]!));
  const lane = async (queue: number[]): Promise<void> => {
    for (let k = queue.shift(); k !== undefined; k = queue.shift()) results[k] = await run(items[k]!);
  };
  await Promise.all([lane(local), ...Array.from({ length: Math.min(slots - 1, remote.length) }, () => lane(remote))]);
  return results;
}

/** The (model, job) units of a seed: each runnable model, plus a study-only fit when the study model is not among them. */
function planUnits(
  specs: readonly ModelSpec[],
  protocols: readonly ProtocolName[],
  studies: StudyOptions | undefined,
): Array<{ spec: ModelSpec; job: ModelJob }> {
  const studyJob = studies
    ? { ...(studies.attention ? { attention: studies.attention } : {}), ...(studies.faithfulness ? { faithfulness: studies.faithfulness } : {}) }
    : undefined;
  const units: Array<{ spec: ModelSpec; job: ModelJob }> = [];
  for (const spec of specs) {
    const wanted = specProtocols(spec).filter((p) => protocols.includes(p));
    if (wanted.length === 0) continue;
    units.push({ spec, job: { protocols: wanted, ...(studyJob && spec.name === studies!.spec.name ? { studies: studyJob } : {}) } });
  }
  if (studies && studyJob && !units.some((u) => u.spec.name === studies.spec.name)) {
    units.push({ spec: studies.spec, job: { protocols: [], studies: studyJob } });
  }
  return units;
}

/** The backend EASE's solve and the child processes use: the caller's, the active one, or auto. */
async function ensureBackend(prefer: BackendPreference | undefined): Promise<BackendPreference> {
  if (prefer) {
    await initBackend({ prefer });
    return prefer;
  }
  // engine().backendName stays null until a backend is chosen; reading tf.getBackend() would choose one.
  const active = tf.engine().backendName as string | null;
  if (!active) {
    await initBackend();
    return 'auto';
  }
  return active === 'tensorflow' ? 'node' : (active as BackendPreference);
}

/** The budget each model gets, in words, for the report. */
function budgetOf(spec: ModelSpec, tuned: boolean): ModelBudget {
  const parts: string[] = [];
  if (spec.grid) {
    parts.push(
      tuned
        ? `${spec.grid.param} chosen on validation among ${spec.grid.values.join(', ')}${spec.grid.stopAfter ? ` (stops after ${spec.grid.stopAfter} values without gain)` : ''}`
        : `${spec.grid.param} = ${spec.grid.untuned ?? spec.grid.values[0]} (untuned)`,
    );
  }
  if (spec.budget) parts.push(spec.budget.text);
  if (parts.length === 0) parts.push('nothing to tune or train');
  return { model: spec.name, budget: parts.join('; '), ...(spec.budget?.cap ? { cap: spec.budget.cap } : {}) };
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

function rankExport(opts: RunEvaluationOptions, specs: readonly ModelSpec[], protocols: readonly ProtocolName[]): RankExport | undefined {
  if (!opts.ranksDir) return undefined;
  const wanted = (opts.rankProtocols ?? protocols).filter((p) => protocols.includes(p));
  const tagged: Partial<Record<ProtocolName, boolean>> = {};
  for (const p of wanted) tagged[p] = specs.filter((s) => specProtocols(s).includes(p)).length > 1;
  return { dir: opts.ranksDir, protocols: wanted, tagged, fullTop: DEFAULT_FULL_TOP };
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}
