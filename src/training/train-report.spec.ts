import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureGradients } from '../model/gradients';
import { scoringPreset } from '../model/options';
import { plantedGraph } from '../model/testing/planted-graph';
import { useTestBackend } from '../model/testing/use-test-backend';
import { CheckpointStore } from '../served-model/checkpoint-store';
import { runTrainingPipeline, type PipelineResult, type TrainingSource } from './train-pipeline';
import { trainReport, writeTrainReport, type TrainReport } from './train-report';

/** The pipeline's input from memory: a planted world as the graph extraction would return it. */
function plantedSource(): TrainingSource {
  const planted = plantedGraph({ numItems: 150, numUsers: 60, seed: 9 });
  const kinds = planted.data.networks.map((n) => n.kind);
  return {
    readDataset: () => Promise.resolve({ source: 'planted', kinds }),
    extract: () => Promise.resolve({ data: planted.data, items: planted.data.itemIds.map((id) => ({ id, title: id, year: null })) }),
  };
}

describe('eran train --json (trainReport, writeTrainReport)', () => {
  let root: string;
  let result: PipelineResult;
  let report: TrainReport;
  let rssBefore: number;
  const file = (): string => path.join(root, 'train.json');

  beforeAll(async () => {
    await useTestBackend();
    ensureGradients();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'eran-train-report-'));
    result = await runTrainingPipeline(plantedSource(), new CheckpointStore(path.join(root, 'checkpoints')), {
      epochs: 4,
      patience: 10,
      backend: 'test',
      hyper: { hidden: [12, 6], seed: 3, ...scoringPreset('mixture') },
    });
    result.model.dispose();
    rssBefore = process.memoryUsage().rss;
    await writeTrainReport(file(), trainReport(result, { published: false }));
    report = JSON.parse(await fs.readFile(file(), 'utf8')) as TrainReport;
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('names the checkpoint written and the data it was trained on', async () => {
    expect(report.version).toBe(result.version);
    await expect(fs.access(path.join(report.checkpointDir, 'manifest.json'))).resolves.toBeUndefined();
    expect(await new CheckpointStore(path.join(root, 'checkpoints')).versions()).toEqual([report.version]);
    expect(report).toMatchObject({ published: false, dataset: 'planted', kinds: ['actor', 'director', 'genre'], items: 150, users: 60, backend: 'test' });
  });

  it('lists every epoch with its loss, validation, step seconds and elapsed time at its end', () => {
    // patience 10 > 4 epochs and no budget: all four run to their last step.
    expect(report.stopReason).toBe('epochs');
    expect(report.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    report.epochs.forEach((e, i) => {
      expect(e.loss.total).toBe(result.train.epochs[i]!.loss.total);
      expect(Number.isFinite(e.loss.total)).toBe(true);
      expect(e.validation).toBeGreaterThanOrEqual(0);
      expect(e.validation).toBeLessThanOrEqual(1);
      expect(e.complete).toBe(true);
      expect(e.seconds).toBeGreaterThan(0);
    });
    const ends = report.epochs.map((e) => e.elapsedSeconds);
    for (let i = 1; i < ends.length; i++) expect(ends[i]! - ends[i - 1]!).toBeGreaterThanOrEqual(report.epochs[i]!.seconds - 1e-3);
    // Every epoch ends inside the training phase, after the extraction.
    expect(ends[0]!).toBeGreaterThanOrEqual(report.seconds.extract + report.epochs[0]!.seconds - 1e-3);
    expect(ends[ends.length - 1]!).toBeLessThanOrEqual(report.seconds.extract + report.seconds.train + 1e-3);
  });

  it('reports the best epoch as the one with the highest validation', () => {
    const validations = report.epochs.map((e) => e.validation!);
    const best = validations.indexOf(Math.max(...validations));
    expect(report.bestEpoch).toBe(best + 1);
    expect(report.bestValidation).toBe(validations[best]);
    expect(report.validation.users).toBeGreaterThan(0);
    expect(report.validation.ndcg10).toBe(result.validation.ndcg10);
  });

  it('times the run per phase, the training steps per part, and the peak RSS', () => {
    const { extract, train, evaluate, save, total } = report.seconds;
    for (const s of [extract, train, evaluate, save]) expect(s).toBeGreaterThanOrEqual(0);
    expect(extract + train + evaluate + save).toBeCloseTo(total, 6);
    expect(train).toBeGreaterThanOrEqual(report.epochs.reduce((a, e) => a + e.seconds, 0) - 1e-3);
    expect(Object.keys(report.stepPhaseSeconds ?? {}).sort()).toEqual(['gather', 'gradients', 'layout', 'update']);
    // The peak so far is at least the resident set measured before the report was built.
    expect(report.peakRssBytes).toBeGreaterThanOrEqual(rssBefore);
  });

  it('writes the file whole: no temporary file is left beside it', async () => {
    expect(await fs.readdir(root)).toEqual(expect.arrayContaining(['train.json']));
    expect((await fs.readdir(root)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
