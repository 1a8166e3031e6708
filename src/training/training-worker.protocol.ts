import type { Neo4jConfig } from '../config/app-config';
import type { BackendPreference } from '../model/backend-preference';
import type { PipelineOptions, PipelineProgress } from './train-pipeline';

/** What a retrain worker needs: plain data only (it crosses a thread boundary by structured clone). */
export interface TrainingWorkerData {
  readonly neo4j: Neo4jConfig;
  readonly checkpointDir: string;
  /** tfjs backend preference, as the server's own. */
  readonly backend: BackendPreference;
  readonly options: Omit<PipelineOptions, 'signal' | 'backend'>;
}

/**
 * Why a run failed, as the worker classifies it: `rejected` (the pipeline refused: no data, quality
 * gate, cancelled; its message is written for users), `unavailable` (Neo4j could not be reached),
 * `internal` (a bug; the message is for the log only).
 */
export interface TrainingFailure {
  readonly kind: 'rejected' | 'unavailable' | 'internal';
  readonly message: string;
  readonly stack?: string;
}

export type FromTrainingWorker =
  | { readonly type: 'started'; readonly threadId: number; readonly backend: string }
  | { readonly type: 'progress'; readonly progress: PipelineProgress }
  | { readonly type: 'succeeded'; readonly version: string }
  | { readonly type: 'failed'; readonly failure: TrainingFailure };

export type ToTrainingWorker = { readonly type: 'abort' };
