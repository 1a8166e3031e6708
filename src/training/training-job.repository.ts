import { Injectable } from '@nestjs/common';
import { GraphClient } from '../graph/graph-client';
import type { PipelinePhase } from './train-pipeline';

export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** A retrain job as the graph records it: readable on every replica, whoever runs it. */
export interface TrainingJob {
  readonly id: string;
  readonly status: JobStatus;
  readonly phase: PipelinePhase | 'done';
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number | null;
  readonly validationNdcg: number | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  /** Public: what a client may read (never a driver message, host or path). */
  readonly error: string | null;
  /** The version it produced and published, on success. */
  readonly modelVersion: string | null;
  /** The worker thread that trains it (null until it started); never 0, the main thread. */
  readonly threadId: number | null;
}

/** What a runner writes as a job goes (numbers as ms since the epoch for times). */
export interface JobUpdate {
  readonly status?: JobStatus;
  readonly phase?: PipelinePhase | 'done';
  readonly epoch?: number;
  readonly loss?: number | null;
  readonly validationNdcg?: number | null;
  readonly finishedAt?: number;
  readonly heartbeatAt?: number;
  readonly error?: string;
  readonly modelVersion?: string;
  readonly threadId?: number;
}

export interface NewJob {
  readonly id: string;
  readonly status: 'QUEUED' | 'RUNNING';
  readonly epochs: number;
  /** The pipeline options, as JSON. */
  readonly options: string;
  readonly mode: 'inline' | 'worker';
  /** Who created it (a replica's name). */
  readonly owner: string;
}

/** A running job whose trainer sent no heartbeat for this long is considered lost. */
export const STALE_AFTER_MS = 60_000;
/** How often the trainer of a running job says it is alive. */
export const HEARTBEAT_MS = 5_000;

/** Retrain jobs in the graph (cypher/training/*-job): created, claimed, updated and read by id. */
@Injectable()
export class TrainingJobRepository {
  constructor(private readonly graph: GraphClient) {}

  /** Creates the job, or returns the id of the job queued or running (nothing created then). */
  async create(job: NewJob, now = Date.now()): Promise<string | null> {
    const [row] = await this.graph.write<{ busyId: string | null }>('training/create-job', { job, now, staleBefore: now - STALE_AFTER_MS });
    return row?.busyId ?? null;
  }

  /** The oldest queued job, now RUNNING for `owner`; null when none is queued. */
  async claim(owner: string, now = Date.now()): Promise<{ id: string; options: string } | null> {
    const [row] = await this.graph.write<{ id: string; options: string }>('training/claim-job', { owner, now });
    return row ?? null;
  }

  async update(id: string, fields: JobUpdate): Promise<void> {
    // Only defined fields: `SET j += {x: null}` would remove x.
    const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    await this.graph.write('training/update-job', { id, fields: defined });
  }

  async find(id: string, now = Date.now()): Promise<TrainingJob | null> {
    const [row] = await this.graph.read<{
      id: string;
      status: JobStatus;
      phase: string;
      epoch: number;
      epochs: number;
      loss: number | null;
      validationNdcg: number | null;
      startedAt: number;
      finishedAt: number | null;
      error: string | null;
      modelVersion: string | null;
      heartbeatAt: number | null;
      threadId: number | null;
    }>('training/find-job', { id });
    if (row === undefined) return null;
    // A trainer that died leaves RUNNING behind: reported as failed (create-job records it so).
    const lost = row.status === 'RUNNING' && (row.heartbeatAt ?? 0) < now - STALE_AFTER_MS;
    return {
      id: row.id,
      status: lost ? 'FAILED' : row.status,
      phase: lost ? 'done' : (row.phase as TrainingJob['phase']),
      epoch: row.epoch,
      epochs: row.epochs,
      loss: row.loss ?? null,
      validationNdcg: row.validationNdcg ?? null,
      startedAt: new Date(row.startedAt),
      finishedAt: row.finishedAt === null || row.finishedAt === undefined ? null : new Date(row.finishedAt),
      error: lost ? 'its trainer stopped sending heartbeats (process ended?): start the job again' : (row.error ?? null),
      modelVersion: row.modelVersion ?? null,
      threadId: row.threadId ?? null,
    };
  }
}
