import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG, APP_LOGGER } from '../config/config.module';
import type { Logger } from '../common/logging/logger';
import { DomainError, ErrorKind } from '../common/errors/domain-error';
import { ModelRegistryService } from '../served-model/model-registry.service';
import { servedModelOf } from '../served-model/served-model';
import type { PipelineOptions, PipelinePhase } from './train-pipeline';
import { startTrainingWorker, type TrainingWorkerRun } from './training-worker';
import type { TrainingFailure } from './training-worker.protocol';
import { TrainingErrorCode } from './training.errors';

export type JobStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface TrainingJob {
  readonly id: string;
  status: JobStatus;
  phase: PipelinePhase | 'done';
  epoch: number;
  readonly epochs: number;
  loss: number | null;
  validationNdcg: number | null;
  readonly startedAt: Date;
  finishedAt: Date | null;
  /** Public: what a client may read (never a driver message, host or path). */
  error: string | null;
  /** The version it produced (and that now serves), on success. */
  modelVersion: string | null;
  /** The worker thread the training ran in (0 = the server's own thread, which never happens). */
  threadId: number | null;
}

/** Finished jobs kept for `trainingJob(id)`. */
const KEPT_JOBS = 50;

/**
 * Asynchronous retraining, one job at a time, in a worker thread (training-worker.ts): extraction,
 * tfjs training and the checkpoint all happen there, so the server's event loop keeps answering
 * requests and health checks at full speed. The worker hands back the checkpoint's version; this
 * thread loads it and swaps it in with one reference assignment (ModelRegistryService.activate),
 * only on success: otherwise the previous version keeps serving.
 */
@Injectable()
export class TrainingJobService implements OnApplicationShutdown {
  private readonly jobs = new Map<string, TrainingJob>();
  private running: { job: TrainingJob; worker: TrainingWorkerRun; done: Promise<void> } | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ModelRegistryService,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  start(options: Omit<PipelineOptions, 'signal' | 'backend'>): TrainingJob {
    if (this.running !== null) {
      throw new DomainError(
        ErrorKind.Conflict,
        TrainingErrorCode.JobRunning,
        `a training job is already running (${this.running.job.id}); wait for it to finish (query trainingJob)`,
        { jobId: this.running.job.id },
      );
    }
    const job: TrainingJob = {
      id: randomUUID(),
      status: 'RUNNING',
      phase: 'extract',
      epoch: 0,
      epochs: options.epochs,
      loss: null,
      validationNdcg: null,
      startedAt: new Date(),
      finishedAt: null,
      error: null,
      modelVersion: null,
      threadId: null,
    };
    this.remember(job);
    const log = this.logger.child({ jobId: job.id });
    log.info({ options }, 'training job started');
    const worker = startTrainingWorker(
      { neo4j: this.config.neo4j, checkpointDir: this.registry.store.root, backend: this.config.tfBackend, options },
      {
        onStarted: ({ threadId, backend }) => {
          job.threadId = threadId;
          log.info({ threadId, backend }, 'training worker started');
        },
        onProgress: (p) => {
          // Step reports feed the CLI's progress bar; a job reports whole epochs.
          if (p.phase === 'step') return;
          job.phase = p.phase;
          job.epoch = p.epoch;
          job.loss = p.loss ?? job.loss;
          job.validationNdcg = p.validationNdcg ?? job.validationNdcg;
          if (p.phase === 'train' && p.epoch > 0) log.info({ epoch: p.epoch, loss: p.loss, validationNdcg: p.validationNdcg }, 'epoch done');
        },
      },
    );
    const done = this.finish(job, worker, log);
    this.running = { job, worker, done };
    return job;
  }

  find(id: string): TrainingJob {
    const job = this.jobs.get(id);
    if (job === undefined) throw new DomainError(ErrorKind.NotFound, TrainingErrorCode.JobNotFound, `no training job ${id}`, { field: 'id' });
    return job;
  }

  /** Resolves when the running job (if any) has finished; for tests and shutdown. */
  async idle(): Promise<void> {
    await this.running?.done;
  }

  async onApplicationShutdown(): Promise<void> {
    this.running?.worker.abort();
    await this.idle();
  }

  private async finish(job: TrainingJob, worker: TrainingWorkerRun, log: Logger): Promise<void> {
    try {
      const outcome = await worker.outcome;
      if (!outcome.ok) {
        this.fail(job, outcome.failure, log);
        return;
      }
      // Loaded and activated here: the served model lives in this thread.
      const started = Date.now();
      const loaded = await this.registry.store.load(outcome.version);
      await this.registry.activate(servedModelOf(outcome.version, loaded));
      job.modelVersion = outcome.version;
      job.status = 'SUCCEEDED';
      log.info({ version: outcome.version, metrics: loaded.manifest.metrics, activationMs: Date.now() - started }, 'training job succeeded: new model serving');
    } catch (error) {
      this.fail(
        job,
        { kind: 'internal', message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined },
        log,
      );
    } finally {
      job.phase = 'done';
      job.finishedAt = new Date();
      this.running = null;
    }
  }

  private fail(job: TrainingJob, failure: TrainingFailure, log: Logger): void {
    job.status = 'FAILED';
    job.error = publicMessage(job, failure);
    log.warn({ failure }, 'training job failed: the previous model keeps serving');
  }

  private remember(job: TrainingJob): void {
    this.jobs.set(job.id, job);
    for (const id of this.jobs.keys()) {
      if (this.jobs.size <= KEPT_JOBS) break;
      if (this.jobs.get(id)?.status !== 'RUNNING') this.jobs.delete(id);
    }
  }
}

/** The pipeline's own refusals are written for users; anything else is summarised, details logged. */
function publicMessage(job: TrainingJob, failure: TrainingFailure): string {
  if (failure.kind === 'rejected') return failure.message;
  if (failure.kind === 'unavailable') return 'the graph database was unavailable during training: retry when GET /health reports Neo4j up';
  return `training failed with an internal error (logged on the server with job id ${job.id})`;
}
