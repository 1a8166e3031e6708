import type { PipelineProgress, PipelineResult } from './train-pipeline';

/** One line per phase and epoch on stderr (stdout stays for the result). */
export function printPipelineProgress(p: PipelineProgress, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  if (p.phase === 'train' && p.epoch > 0) {
    const ndcg = p.validationNdcg === null ? '' : ` validation nDCG@10 ${p.validationNdcg.toFixed(4)}`;
    write(`train: epoch ${p.epoch}/${p.epochs} loss ${p.loss?.toFixed(3) ?? '?'}${ndcg} (${p.elapsedSeconds.toFixed(1)} s)`);
  } else if (p.phase !== 'train') {
    write(`train: ${p.phase} (${p.elapsedSeconds.toFixed(1)} s)`);
  }
}

export function printPipelineResult(result: PipelineResult, out: (line: string) => void = console.log): void {
  const m = result.manifest;
  out(
    `Trained eRAN ${result.version} on ${String(m.metrics.dataset)}: ${m.config.numItems} items, ${m.config.numUsers} users, kinds ${m.config.kinds.join(', ')}`,
  );
  out(`  hidden ${m.config.hidden.join('-')}, ${result.train.epochs.length} epochs (${result.train.stopReason}), ${result.train.seconds.toFixed(1)} s`);
  out(`  validation nDCG@10 ${Number(m.metrics.validationNdcg10).toFixed(4)}, HR@10 ${Number(m.metrics.validationHr10).toFixed(4)} (100 sampled negatives)`);
  out(`  checkpoint ${result.dir}`);
}
