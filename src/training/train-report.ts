import type { ProgressSink } from '../common/logging/progress';
import { writeFileAtomic } from '../common/write-file-atomic';
import type { LossValues, StopReason } from '../model/trainer';
import type { PipelineProgress, PipelineResult, PipelineValidation } from './train-pipeline';

/**
 * One line per phase and epoch on stderr (stdout stays for the result); steps within an epoch go
 * to `steps` (a bar with ETA on a TTY, structured lines otherwise), when given.
 */
export function printPipelineProgress(p: PipelineProgress, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`), steps?: ProgressSink): void {
  if (p.phase === 'step') {
    if (steps === undefined || p.step === undefined || p.stepsPerEpoch === undefined) return;
    if (p.step <= 1 || p.epoch !== currentEpoch.get(steps)) {
      currentEpoch.set(steps, p.epoch);
      steps.start(`train epoch ${p.epoch}`, p.stepsPerEpoch, 'steps');
    }
    const extra = { loss: Number(p.loss?.toFixed(3) ?? NaN) };
    if (p.step >= p.stepsPerEpoch) steps.finish(extra);
    else steps.tick(p.step, extra);
    return;
  }
  if (p.phase === 'train' && p.epoch > 0) {
    const ndcg = p.validationNdcg === null ? '' : ` validation nDCG@10 ${p.validationNdcg.toFixed(4)}`;
    write(`train: epoch ${p.epoch}/${p.epochs} loss ${p.loss?.toFixed(3) ?? '?'}${ndcg} (${p.elapsedSeconds.toFixed(1)} s)`);
  } else if (p.phase !== 'train') {
    write(`train: ${p.phase} (${p.elapsedSeconds.toFixed(1)} s)`);
  }
}

const currentEpoch = new WeakMap<ProgressSink, number>();

export function printPipelineResult(result: PipelineResult, out: (line: string) => void = console.log): void {
  const m = result.manifest;
  out(
    `Trained eRAN ${result.version} on ${String(m.metrics.dataset)}: ${m.config.numItems} items, ${m.config.numUsers} users, kinds ${m.config.kinds.join(', ')}`,
  );
  out(`  hidden ${m.config.hidden.join('-')}, ${result.train.epochs.length} epochs (${result.train.stopReason}), ${result.train.seconds.toFixed(1)} s`);
  out(`  validation nDCG@10 ${Number(m.metrics.validationNdcg10).toFixed(4)}, HR@10 ${Number(m.metrics.validationHr10).toFixed(4)} (100 sampled negatives)`);
  out(`  checkpoint ${result.dir}`);
}

/** One epoch of a training run, as `eran train --json` writes it. */
export interface TrainReportEpoch {
  readonly epoch: number;
  /** Mean loss per step. */
  readonly loss: LossValues;
  /** Validation nDCG@10 after the epoch (100 sampled negatives). */
  readonly validation: number | null;
  /** Seconds of the epoch's training steps, validation excluded. */
  readonly seconds: number;
  /** False for an epoch cut short by the wall budget: its seconds are not a whole epoch's. */
  readonly complete: boolean;
  /** Seconds since the run started when the epoch (and its validation) ended. */
  readonly elapsedSeconds: number;
}

/**
 * The result of `eran train` for programs (`--json <file>`; bench:scale reads it): the same run
 * the printed summary describes, with every epoch and the time each phase took.
 */
export interface TrainReport {
  /** The checkpoint version written under CHECKPOINT_DIR. */
  readonly version: string;
  readonly checkpointDir: string;
  /** Whether the version was published to the running replicas. */
  readonly published: boolean;
  readonly dataset: string;
  readonly kinds: readonly string[];
  readonly items: number;
  readonly users: number;
  /** The tfjs backend the run trained on. */
  readonly backend: string | null;
  readonly epochs: readonly TrainReportEpoch[];
  /** The epoch whose weights were kept (highest validation), and its validation. */
  readonly bestEpoch: number | null;
  readonly bestValidation: number | null;
  readonly stopReason: StopReason;
  /** The final validation of the saved weights (the quality gate's figure). */
  readonly validation: PipelineValidation;
  /** Seconds per part of the training steps (layout, gather, gradients, update), where the trainer measures them. */
  readonly stepPhaseSeconds: Readonly<Record<string, number>> | null;
  /** Wall seconds per phase of the run. */
  readonly seconds: { readonly extract: number; readonly train: number; readonly evaluate: number; readonly save: number; readonly total: number };
  /** Peak resident set of the process so far (null where the platform does not report it). */
  readonly peakRssBytes: number | null;
}

export function trainReport(result: PipelineResult, options: { readonly published: boolean; readonly peakRssBytes?: number | null }): TrainReport {
  const { manifest, train, timing } = result;
  return {
    version: result.version,
    checkpointDir: result.dir,
    published: options.published,
    dataset: String(manifest.metrics.dataset),
    kinds: manifest.config.kinds,
    items: manifest.config.numItems,
    users: manifest.config.numUsers,
    backend: manifest.backend,
    epochs: train.epochs.map((e, i) => ({
      epoch: e.epoch,
      loss: e.loss,
      validation: e.validation ?? null,
      seconds: e.seconds,
      complete: e.complete,
      elapsedSeconds: timing.epochEndSeconds[i] ?? NaN,
    })),
    bestEpoch: train.bestEpoch,
    bestValidation: train.bestValidation,
    stopReason: train.stopReason,
    validation: result.validation,
    stepPhaseSeconds: train.phaseSeconds ?? null,
    seconds: {
      extract: timing.extractSeconds,
      train: timing.trainSeconds,
      evaluate: timing.evaluateSeconds,
      save: timing.saveSeconds,
      total: timing.totalSeconds,
    },
    peakRssBytes: options.peakRssBytes === undefined ? peakRssBytes() : options.peakRssBytes,
  };
}

/** This process's peak resident set (getrusage's maxrss, in KiB on Linux and macOS), or null. */
export function peakRssBytes(): number | null {
  const kib = process.resourceUsage?.().maxRSS;
  return typeof kib === 'number' && kib > 0 ? kib * 1024 : null;
}

/** Writes the report as JSON, whole or not at all (a temporary name renamed when complete). */
export async function writeTrainReport(file: string, report: TrainReport): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
}
