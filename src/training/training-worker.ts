import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PipelineProgress } from './train-pipeline';
import type { FromTrainingWorker, ToTrainingWorker, TrainingFailure, TrainingWorkerData } from './training-worker.protocol';

export type TrainingOutcome = { readonly ok: true; readonly version: string } | { readonly ok: false; readonly failure: TrainingFailure };

export interface TrainingWorkerRun {
  /** Settles once, when the worker reports its outcome or dies; never rejects. */
  readonly outcome: Promise<TrainingOutcome>;
  /** Asks the worker to stop (the pipeline checks between steps); it is terminated if it does not. */
  abort(graceMs?: number): void;
}

export interface TrainingWorkerEvents {
  readonly onStarted?: (info: { threadId: number; backend: string }) => void;
  readonly onProgress?: (progress: PipelineProgress) => void;
}

/**
 * Runs one training pipeline in a worker thread (training.worker.ts). Compiled, the worker is
 * dist/training/training.worker.js; from src (ts-node in `npm run eran -- serve`, ts-jest in the
 * tests) a small inline bootstrap registers ts-node inside the worker first, because a worker
 * does not inherit the loader its parent registered.
 */
export function startTrainingWorker(data: TrainingWorkerData, events: TrainingWorkerEvents = {}): TrainingWorkerRun {
  const worker = createWorker(data);
  let settle!: (outcome: TrainingOutcome) => void;
  let settled = false;
  const outcome = new Promise<TrainingOutcome>((resolve) => {
    settle = (o) => {
      if (settled) return;
      settled = true;
      resolve(o);
      // The checkpoint is on disk by now; whatever the worker still holds (tfjs, sockets) goes with it.
      void worker.terminate();
    };
  });
  worker.on('message', (message: FromTrainingWorker) => {
    if (message.type === 'started') events.onStarted?.({ threadId: message.threadId, backend: message.backend });
    else if (message.type === 'progress') events.onProgress?.(message.progress);
    else if (message.type === 'succeeded') settle({ ok: true, version: message.version });
    else settle({ ok: false, failure: message.failure });
  });
  worker.on('error', (error) => settle({ ok: false, failure: { kind: 'internal', message: error.message, stack: error.stack } }));
  worker.on('exit', (code) => settle({ ok: false, failure: { kind: 'internal', message: `the training worker exited (code ${code}) without a result` } }));
  return {
    outcome,
    abort: (graceMs = 10_000) => {
      if (settled) return;
      worker.postMessage({ type: 'abort' } satisfies ToTrainingWorker);
      setTimeout(() => void worker.terminate(), graceMs).unref();
    },
  };
}

function createWorker(data: TrainingWorkerData): Worker {
  if (extname(__filename) !== '.ts') return new Worker(join(__dirname, 'training.worker.js'), { workerData: data });
  const bootstrap = [
    `require('ts-node').register({ transpileOnly: true, project: ${JSON.stringify(join(__dirname, '..', '..', 'tsconfig.json'))} });`,
    `require(${JSON.stringify(join(__dirname, 'training.worker.ts'))});`,
  ].join('\n');
  return new Worker(bootstrap, { eval: true, workerData: data });
}
