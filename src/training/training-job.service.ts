import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_LOGGER } from '../config/config.module';
import type { Logger } from '../common/logging/logger';
import { DomainError, ErrorKind } from '../common/errors/domain-error';
import { GraphClient } from '../graph/graph-client';
import { ModelRegistryService } from '../served-model/model-registry.service';
import { servedModelOf } from '../served-model/served-model';
import { runTrainingPipeline, type PipelineOptions, type PipelinePhase } from './train-pipeline';
import { TrainingRepository } from './training.repository';
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
  error: string | null;
  /** The version it produced (and that now serves), on success. */
  modelVersion: string | null;
}

/** Finished jobs kept for `trainingJob(id)`. */
const KEPT_JOBS = 50;

/**
 * Asynchronous retraining, one job at a time. The job runs in this process (training yields to the
 * event loop between steps, so requests keep being answered by the current model); the new model
 * is swapped in only when every step succeeded, otherwise the previous version keeps serving.
 */
@Injectable()
export class TrainingJobService implements OnApplicationShutdown {
  private readonly jobs = new Map<string, TrainingJob>();
  private running: { job: TrainingJob; abort: AbortController; done: Promise<void> } | null = null;
  private readonly repo: TrainingRepository;

  constructor(
    graph: GraphClient,
    private readonly registry: ModelRegistryService,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.repo = new TrainingRepository(graph);
  }

  start(options: PipelineOptions): TrainingJob {
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
    };
    this.remember(job);
    const abort = new AbortController();
    const done = this.run(job, { ...options, signal: abort.signal });
    this.running = { job, abort, done };
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
    this.running?.abort.abort();
    await this.idle();
  }

  private async run(job: TrainingJob, options: PipelineOptions): Promise<void> {
    const log = this.logger.child({ jobId: job.id });
    log.info({ options: { ...options, signal: undefined } }, 'training job started');
    try {
      const backend = await this.registry.backend();
      const result = await runTrainingPipeline(this.repo, this.registry.store, { ...options, backend }, (p) => {
        job.phase = p.phase;
        job.epoch = p.epoch;
        job.loss = p.loss ?? job.loss;
        job.validationNdcg = p.validationNdcg ?? job.validationNdcg;
        if (p.phase === 'train' && p.epoch > 0) log.info({ epoch: p.epoch, loss: p.loss, validationNdcg: p.validationNdcg }, 'epoch done');
      });
      await this.registry.activate(servedModelOf(result.version, result));
      job.modelVersion = result.version;
      job.status = 'SUCCEEDED';
      log.info({ version: result.version, metrics: result.manifest.metrics }, 'training job succeeded: new model serving');
    } catch (error) {
      job.status = 'FAILED';
      job.error = error instanceof Error ? error.message : String(error);
      log.warn({ err: error }, 'training job failed: the previous model keeps serving');
    } finally {
      job.phase = 'done';
      job.finishedAt = new Date();
      this.running = null;
    }
  }

  private remember(job: TrainingJob): void {
    this.jobs.set(job.id, job);
    for (const id of this.jobs.keys()) {
      if (this.jobs.size <= KEPT_JOBS) break;
      if (this.jobs.get(id)?.status !== 'RUNNING') this.jobs.delete(id);
    }
  }
}
