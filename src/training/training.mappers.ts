import type { ServedModel } from '../served-model/served-model';
import type { TrainingJob } from './training-job.repository';
import { ModelInfoModel } from './models/model-info.model';
import { TrainingJobModel, TrainingJobStatus } from './models/training-job.model';

export function toModelInfo(model: ServedModel): ModelInfoModel {
  return {
    version: model.version,
    trainedAt: model.trainedAt,
    dataset: model.dataset,
    kinds: [...model.kinds],
    items: model.engine.itemCount,
    trainedItems: model.numItems,
    users: model.numUsers,
    hidden: [...model.hidden],
    metrics: Object.entries(model.metrics).map(([name, value]) => ({
      name,
      value: typeof value === 'number' && Number.isFinite(value) ? value : null,
      text: String(value),
    })),
  };
}

export function toTrainingJobModel(job: TrainingJob): TrainingJobModel {
  return {
    id: job.id,
    status: TrainingJobStatus[job.status],
    phase: job.phase,
    epoch: job.epoch,
    epochs: job.epochs,
    loss: job.loss,
    validationNdcg: job.validationNdcg,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    error: job.error,
    modelVersion: job.modelVersion,
  };
}
