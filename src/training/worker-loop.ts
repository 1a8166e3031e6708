import { hostname } from 'node:os';
import type { AppConfig } from '../config/app-config';
import type { Logger } from '../common/logging/logger';
import type { GraphClient } from '../graph/graph-client';
import { ServedModelRepository } from '../served-model/served-model.repository';
import type { TrainingOptions } from './training-job.service';
import { TrainingJobRepository } from './training-job.repository';
import { runTrainingJob, type TrainingRun } from './training-runner';

export interface WorkerLoopOptions {
  /** How often the worker looks for a queued job when idle. */
  readonly pollMs: number;
  /** Stop after this many jobs (tests); default: run until stopped. */
  readonly maxJobs?: number;
}

/**
 * `eran worker`: takes retrain jobs that replicas queued in the graph (TRAINING_MODE=worker), one at
 * a time, trains each in a worker thread, writes the checkpoint to CHECKPOINT_DIR (which the
 * replicas share) and publishes the new version in the graph, where every replica picks it up.
 * Progress and heartbeats go to the job, so any replica answers trainingJob(id); if this process
 * dies, the job is reported failed once its heartbeats stop. Several workers may run: a job is
 * claimed under a lock by exactly one.
 */
export async function runWorkerLoop(config: AppConfig, graph: GraphClient, logger: Logger, signal: AbortSignal, options: WorkerLoopOptions): Promise<number> {
  const jobs = new TrainingJobRepository(graph);
  const models = new ServedModelRepository(graph);
  const owner = `worker@${hostname()}:${process.pid}`;
  let running: TrainingRun | null = null;
  const onAbort = (): void => running?.abort();
  signal.addEventListener('abort', onAbort);
  let done = 0;
  logger.info({ owner, checkpointDir: config.checkpointDir }, 'training worker waiting for jobs');
  try {
    while (!signal.aborted && (options.maxJobs === undefined || done < options.maxJobs)) {
      let claimed: { id: string; options: string } | null = null;
      try {
        claimed = await jobs.claim(owner);
      } catch (error) {
        logger.error({ err: error }, 'could not look for queued jobs: retrying');
      }
      if (claimed === null) {
        await sleep(options.pollMs, signal);
        continue;
      }
      logger.info({ jobId: claimed.id }, 'training job claimed');
      const run = runTrainingJob(claimed.id, JSON.parse(claimed.options) as TrainingOptions, {
        jobs,
        neo4j: config.neo4j,
        checkpointDir: config.checkpointDir,
        backend: config.tfBackend,
        logger,
        publish: async (version) => {
          await models.publish(version, `training job ${claimed.id} (${owner})`);
        },
      });
      running = run;
      await run.done;
      running = null;
      done++;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return done;
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
