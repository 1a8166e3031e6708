import type { CheckpointManifest } from '../model/checkpoint';
import type { EranEmbeddings } from '../model/embeddings';
import type { EranModel } from '../model/eran-model';
import { EranEngine, type EranEngineOptions } from './eran-engine';
import type { RecommenderEngine } from './recommender-engine';

export type MetricValue = number | string | boolean | null;

/** The model being served: an engine plus what the API reports about it. */
export interface ServedModel {
  readonly version: string;
  readonly trainedAt: string;
  readonly dataset: string;
  readonly kinds: readonly string[];
  readonly numItems: number;
  readonly numUsers: number;
  readonly hidden: readonly number[];
  readonly metrics: Readonly<Record<string, MetricValue>>;
  readonly engine: RecommenderEngine;
}

/** A loaded or freshly trained checkpoint as a served model (its engine not yet activated). */
export function servedModelOf(
  version: string,
  checkpoint: { manifest: CheckpointManifest; embeddings: EranEmbeddings; model: EranModel | null },
  options: EranEngineOptions = {},
): ServedModel {
  const { manifest } = checkpoint;
  return {
    version,
    trainedAt: manifest.createdAt,
    dataset: typeof manifest.metrics.dataset === 'string' ? manifest.metrics.dataset : 'unknown',
    kinds: [...manifest.config.kinds],
    numItems: manifest.config.numItems,
    numUsers: manifest.config.numUsers,
    hidden: [...manifest.config.hidden],
    metrics: manifest.metrics,
    engine: new EranEngine({ embeddings: checkpoint.embeddings, model: checkpoint.model, itemIds: manifest.itemIds, userIds: manifest.userIds }, options),
  };
}
