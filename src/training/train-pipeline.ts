import type { ProgressSink } from '../common/logging/progress';
import { buildEranFor, freezeEran, type EranModel } from '../model/eran-model';
import { saveCheckpoint, type CheckpointManifest, type CheckpointMetrics } from '../model/checkpoint';
import type { EranEmbeddings } from '../model/embeddings';
import type { GraphData } from '../model/graph-data';
import type { EranHyperParams } from '../model/options';
import { Rng } from '../model/rng';
import { trainEran, type TrainResult } from '../model/trainer';
import { sampledRanking } from '../model/validation';
import type { CheckpointStore } from '../served-model/checkpoint-store';
import type { TrainingRepository } from './training.repository';

/**
 * One training run from the graph to a saved checkpoint, shared by `eran train` and the server's
 * retrain jobs: adjacency extracted by Cypher, one positive per user held out for validation,
 * eRAN trained with early stopping on validation nDCG@10 (100 sampled negatives), the result
 * checked against a quality gate, and a checkpoint written under a new version.
 *
 * The validation positives stay in the attribute networks (they were built from every PURCHASED
 * relationship): a mild leak that flatters the validation figure. It is a model-selection and
 * sanity signal, not an evaluation; src/evaluation builds leak-free splits for the reported metrics.
 */
export interface PipelineOptions {
  /** Attribute kinds (default: all the imported dataset declares). */
  readonly kinds?: readonly string[];
  readonly hyper?: Partial<EranHyperParams>;
  readonly epochs: number;
  readonly patience?: number;
  readonly maxSeconds?: number;
  /** The run fails (and nothing is saved) below this validation nDCG@10. */
  readonly minValidationNdcg?: number;
  readonly validationSeed?: number;
  /** Users evaluated per epoch (a sample keeps validation cheap on large datasets). */
  readonly validationUsers?: number;
  readonly backend?: string;
  readonly signal?: AbortSignal;
  /** Progress of the graph extraction (per kind; a bar with ETA on a TTY). */
  readonly extractProgress?: ProgressSink;
}

export type PipelinePhase = 'extract' | 'train' | 'evaluate' | 'save';

export interface PipelineProgress {
  /** 'step': within an epoch (at most one report per STEP_REPORT_MS), for progress bars. */
  readonly phase: PipelinePhase | 'step';
  /** The epoch done ('train'), or in progress ('step'). */
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number | null;
  readonly validationNdcg: number | null;
  readonly elapsedSeconds: number;
  /** Phase 'step': steps done in this epoch, of stepsPerEpoch. */
  readonly step?: number;
  readonly stepsPerEpoch?: number;
}

/** Step reports are throttled: a worker thread posts each one as a message. */
const STEP_REPORT_MS = 1000;

/** Wall seconds of a run, per phase and at each epoch's end (what `eran train --json` reports). */
export interface PipelineTiming {
  /** Everything before the first epoch: the graph read by Cypher, the validation split, the model built. */
  readonly extractSeconds: number;
  /** Epochs, validation after each included. */
  readonly trainSeconds: number;
  /** The final validation of the kept weights. */
  readonly evaluateSeconds: number;
  readonly saveSeconds: number;
  readonly totalSeconds: number;
  /** Per epoch of `train.epochs`, seconds since the run started when it ended (its validation done). */
  readonly epochEndSeconds: readonly number[];
}

/** The final validation of the saved weights (the quality gate's figure). */
export interface PipelineValidation {
  readonly ndcg10: number;
  readonly hr10: number;
  readonly users: number;
}

export interface PipelineResult {
  readonly version: string;
  readonly dir: string;
  readonly manifest: CheckpointManifest;
  readonly embeddings: EranEmbeddings;
  readonly model: EranModel;
  readonly train: TrainResult;
  readonly validation: PipelineValidation;
  readonly timing: PipelineTiming;
}

/** Where the pipeline reads its input: the graph (TrainingRepository), or memory in tests. */
export type TrainingSource = Pick<TrainingRepository, 'readDataset' | 'extract'>;

export class PipelineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineError';
  }
}

export async function runTrainingPipeline(
  repo: TrainingSource,
  store: CheckpointStore,
  options: PipelineOptions,
  onProgress: (progress: PipelineProgress) => void = () => undefined,
): Promise<PipelineResult> {
  const started = Date.now();
  const elapsed = (): number => (Date.now() - started) / 1000;
  const report = (phase: PipelinePhase, epoch = 0, loss: number | null = null, validationNdcg: number | null = null): void =>
    onProgress({ phase, epoch, epochs: options.epochs, loss, validationNdcg, elapsedSeconds: elapsed() });

  // When each phase began (seconds since `started`), for the run's timing.
  const phaseStart = { train: 0, evaluate: 0, save: 0 };
  const epochEndSeconds: number[] = [];
  report('extract');
  const dataset = await repo.readDataset();
  if (dataset === null) throw new PipelineError('no dataset imported: run "eran import" first');
  const kinds = options.kinds ?? dataset.kinds;
  const unknown = kinds.filter((k) => !dataset.kinds.includes(k));
  if (unknown.length > 0) throw new PipelineError(`kinds ${unknown.join(', ')} are not in the dataset (it has ${dataset.kinds.join(', ')})`);
  const { data } = await repo.extract({ kinds, progress: options.extractProgress });
  if (data.itemIds.length === 0 || data.userIds.length === 0) {
    throw new PipelineError(`nothing to train on: ${data.itemIds.length} items, ${data.userIds.length} users with purchases`);
  }
  const split = holdOutOnePerUser(data.userItems, options.validationSeed ?? 1);
  const trainData: GraphData = { ...data, userItems: split.train };
  const validate = (model: EranModel) =>
    sampledRanking(freezeEran(model, data.networks), split.train, split.heldOut, {
      negatives: 100,
      k: 10,
      seed: options.validationSeed ?? 1,
      maxUsers: options.validationUsers ?? 2000,
    });

  const model = buildEranFor(trainData, options.hyper ?? {});
  try {
    phaseStart.train = elapsed();
    report('train');
    let lastLoss: number | null = null;
    let lastStepReport = 0;
    const train = await trainEran(
      model,
      trainData,
      {
        epochs: options.epochs,
        patience: options.patience ?? 3,
        maxSeconds: options.maxSeconds,
        signal: options.signal,
        validate: (m) => validate(m).ndcg,
      },
      (p) => {
        if (!Number.isFinite(p.loss.total)) throw new PipelineError(`training diverged: loss ${p.loss.total} at epoch ${p.epoch}`);
        lastLoss = p.loss.total;
        if (p.phase === 'epoch') {
          epochEndSeconds.push(elapsed());
          report('train', p.epoch, p.loss.total, p.validation ?? null);
        } else if (Date.now() - lastStepReport >= STEP_REPORT_MS || p.step === p.stepsPerEpoch) {
          lastStepReport = Date.now();
          onProgress({
            phase: 'step',
            epoch: p.epoch,
            epochs: options.epochs,
            loss: p.loss.total,
            validationNdcg: null,
            elapsedSeconds: elapsed(),
            step: p.step,
            stepsPerEpoch: p.stepsPerEpoch,
          });
        }
      },
    );
    if (train.stopReason === 'aborted') throw new PipelineError('training was cancelled');

    phaseStart.evaluate = elapsed();
    report('evaluate', train.epochs.length, lastLoss);
    const embeddings = freezeEran(model, data.networks);
    const final = sampledRanking(embeddings, split.train, split.heldOut, {
      negatives: 100,
      k: 10,
      seed: options.validationSeed ?? 1,
      maxUsers: options.validationUsers ?? 2000,
    });
    const gate = options.minValidationNdcg ?? 0;
    if (!(final.ndcg >= gate)) {
      throw new PipelineError(`validation nDCG@10 ${final.ndcg.toFixed(4)} is below the required ${gate}: the model is not saved`);
    }

    phaseStart.save = elapsed();
    report('save', train.epochs.length, lastLoss, final.ndcg);
    const version = await uniqueVersion(store);
    const dir = store.dirOf(version);
    const metrics: CheckpointMetrics = {
      dataset: dataset.source,
      kinds: kinds.join(','),
      epochs: train.epochs.length,
      bestEpoch: train.bestEpoch,
      stopReason: train.stopReason,
      trainSeconds: Math.round(train.seconds * 10) / 10,
      finalLoss: lastLoss,
      validationNdcg10: final.ndcg,
      validationHr10: final.hitRate,
      validationUsers: final.users,
    };
    const manifest = await saveCheckpoint(dir, model, trainData, { backend: options.backend, metrics, embeddings });
    const totalSeconds = elapsed();
    const timing: PipelineTiming = {
      extractSeconds: phaseStart.train,
      trainSeconds: phaseStart.evaluate - phaseStart.train,
      evaluateSeconds: phaseStart.save - phaseStart.evaluate,
      saveSeconds: totalSeconds - phaseStart.save,
      totalSeconds,
      epochEndSeconds,
    };
    const validation = { ndcg10: final.ndcg, hr10: final.hitRate, users: final.users };
    return { version, dir, manifest, embeddings, model, train, validation, timing };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Per user with at least 3 positives, one seeded random positive held out. */
export function holdOutOnePerUser(userItems: readonly Int32Array[], seed: number): { train: Int32Array[]; heldOut: Int32Array } {
  const rng = new Rng(seed);
  const heldOut = new Int32Array(userItems.length).fill(-1);
  const train = userItems.map((items, u) => {
    if (items.length < 3) return items;
    const p = rng.int(items.length);
    heldOut[u] = items[p]!;
    return Int32Array.from([...items.subarray(0, p), ...items.subarray(p + 1)]);
  });
  return { train, heldOut };
}

async function uniqueVersion(store: CheckpointStore): Promise<string> {
  const existing = new Set(await store.versions());
  let version = store.newVersion();
  for (let n = 1; existing.has(version); n++) version = `${store.newVersion()}-${n}`;
  return version;
}
