import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG, APP_LOGGER } from '../config/config.module';
import type { Logger } from '../common/logging/logger';
import { DomainError, ErrorKind } from '../common/errors/domain-error';
import { ModelRegistryService } from '../served-model/model-registry.service';
import type { PipelineOptions } from './train-pipeline';
import { runTrainingJob, type TrainingRun } from './training-runner';
import { TrainingJobRepository, type TrainingJob } from './training-job.repository';
import { TrainingErrorCode } from './training.errors';

export type TrainingOptions = Omit<PipelineOptions, 'signal' | 'backend'>;

/**
 * Asynchronous retraining, one job at a time across every replica: the job is recorded in the
 * graph (so `trainingJob(id)` answers on any replica), then, by TRAINING_MODE, either trained here
 * in a worker thread (`inline`: extraction, tfjs and the checkpoint off the event loop) or left
 * QUEUED for `eran worker` (`worker`). A successful job publishes its version in the graph and
 * every replica switches to it; a failed one (the quality gate included) leaves the old version
 * serving.
 */
@Injectable()
export class TrainingJobService implements OnApplicationShutdown {
  private running: TrainingRun | null = null;
  private readonly owner = `api@${hostname()}:${process.pid}`;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: TrainingJobRepository,
    private readonly registry: ModelRegistryService,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async start(options: TrainingOptions): Promise<TrainingJob> {
    const mode = this.config.replica.trainingMode;
    const id = randomUUID();
    const status = mode === 'inline' ? 'RUNNING' : 'QUEUED';
    const busy = await this.jobs.create({ id, status, epochs: options.epochs, options: JSON.stringify(options), mode, owner: this.owner });
    if (busy !== null) {
      throw new DomainError(
        ErrorKind.Conflict,
        TrainingErrorCode.JobRunning,
        `a training job is already queued or running (${busy}); wait for it to finish (query trainingJob)`,
        { jobId: busy },
      );
    }
    this.logger.info({ jobId: id, mode, options }, mode === 'inline' ? 'training job started' : 'training job queued for a training worker');
    if (mode === 'inline') {
      const run = runTrainingJob(id, options, {
        jobs: this.jobs,
        neo4j: this.config.neo4j,
        checkpointDir: this.registry.store.root,
        backend: this.config.tfBackend,
        logger: this.logger,
        publish: (version) => this.registry.publish(version, `training job ${id}`),
      });
      this.running = run;
      void run.done.finally(() => {
        if (this.running === run) this.running = null;
      });
    }
    return (await this.jobs.find(id)) ?? missing(id);
  }

  async find(id: string): Promise<TrainingJob> {
    return (await this.jobs.find(id)) ?? missing(id);
  }

  /** Resolves when the job this replica runs (if any) has finished; for tests and shutdown. */
  async idle(): Promise<void> {
    await this.running?.done;
  }

  async onApplicationShutdown(): Promise<void> {
    this.running?.abort();
    await this.idle();
  }
}

function missing(id: string): never {
  throw new DomainError(ErrorKind.NotFound, TrainingErrorCode.JobNotFound, `no training job ${id}`, { field: 'id' });
}
