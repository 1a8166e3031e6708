import type { BackendPreference } from '../model/backend-preference';
import type { Neo4jConfig } from '../config/app-config';
import type { Logger } from '../common/logging/logger';
import type { PipelineOptions, PipelinePhase } from './train-pipeline';
import { startTrainingWorker } from './training-worker';
import type { TrainingFailure } from './training-worker.protocol';
import { HEARTBEAT_MS, type TrainingJobRepository } from './training-job.repository';

export interface TrainingRunDeps {
  readonly jobs: TrainingJobRepository;
  readonly neo4j: Neo4jConfig;
  readonly checkpointDir: string;
  /** tfjs backend preference for the training thread. */
  readonly backend: BackendPreference;
  readonly logger: Logger;
  /** Publishes the new version for every replica (and switches this process, if it serves). */
  readonly publish: (version: string) => Promise<void>;
}

export interface TrainingRun {
  /** Settles when the job's outcome is recorded in the graph; never rejects. */
  readonly done: Promise<void>;
  /** Asks the training thread to stop; the job then fails as cancelled. */
  abort(): void;
}

/** Progress is written at most this often (a phase change always). */
const PROGRESS_EVERY_MS = 1000;

/**
 * Runs one recorded job: the pipeline in a worker thread (training-worker.ts), progress and
 * heartbeats written to the job in the graph, then, only if the pipeline succeeded (quality gate
 * included), the new version published and the job marked SUCCEEDED. Shared by the API's inline
 * mode and `eran worker`, so a job reads the same on every replica whoever runs it.
 */
export function runTrainingJob(jobId: string, options: Omit<PipelineOptions, 'signal' | 'backend'>, deps: TrainingRunDeps): TrainingRun {
  const log = deps.logger.child({ jobId });
  // Writes go one after the other: a late progress write must never land after the outcome.
  let writes = Promise.resolve();
  const write = (fields: Parameters<TrainingJobRepository['update']>[1]): Promise<void> => {
    writes = writes.then(() => deps.jobs.update(jobId, fields)).catch((error: unknown) => log.warn({ err: error }, 'could not record training progress'));
    return writes;
  };
  let lastWrite = 0;
  let lastPhase: PipelinePhase | null = null;
  const worker = startTrainingWorker(
    { neo4j: deps.neo4j, checkpointDir: deps.checkpointDir, backend: deps.backend, options },
    {
      onStarted: ({ threadId, backend }) => {
        log.info({ threadId, backend }, 'training worker started');
        void write({ threadId });
      },
      onProgress: (p) => {
        // Step reports feed the CLI's progress bar; a job records whole epochs (and a heartbeat).
        if (p.phase === 'step') return;
        if (p.phase === 'train' && p.epoch > 0) log.info({ epoch: p.epoch, loss: p.loss, validationNdcg: p.validationNdcg }, 'epoch done');
        if (p.phase === lastPhase && Date.now() - lastWrite < PROGRESS_EVERY_MS) return;
        lastPhase = p.phase;
        lastWrite = Date.now();
        void write({ phase: p.phase, epoch: p.epoch, loss: p.loss ?? undefined, validationNdcg: p.validationNdcg ?? undefined, heartbeatAt: Date.now() });
      },
    },
  );
  const heartbeat = setInterval(() => void write({ heartbeatAt: Date.now() }), HEARTBEAT_MS);
  heartbeat.unref();
  const fail = async (failure: TrainingFailure): Promise<void> => {
    await write({ status: 'FAILED', phase: 'done', error: publicMessage(jobId, failure), finishedAt: Date.now() });
    log.warn({ failure }, 'training job failed: the previous model keeps serving');
  };
  const done = (async (): Promise<void> => {
    try {
      const outcome = await worker.outcome;
      if (!outcome.ok) {
        await fail(outcome.failure);
        return;
      }
      await deps.publish(outcome.version);
      await write({ status: 'SUCCEEDED', phase: 'done', modelVersion: outcome.version, finishedAt: Date.now() });
      log.info({ version: outcome.version }, 'training job succeeded: new version published');
    } catch (error) {
      await fail({
        kind: 'internal',
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
    } finally {
      clearInterval(heartbeat);
    }
  })();
  return { done, abort: () => worker.abort() };
}

/** The pipeline's own refusals are written for users; anything else is summarised, details logged. */
function publicMessage(jobId: string, failure: TrainingFailure): string {
  if (failure.kind === 'rejected') return failure.message;
  if (failure.kind === 'unavailable') return 'the graph database was unavailable during training: retry when GET /health reports Neo4j up';
  return `training failed with an internal error (logged with job id ${jobId})`;
}
