import type { ProgressSink } from '../common/logging/progress';
import type { PipelineProgress, PipelineResult } from './train-pipeline';

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
