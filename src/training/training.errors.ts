export const TrainingErrorCode = {
  JobRunning: 'TRAINING_JOB_RUNNING',
  JobNotFound: 'TRAINING_JOB_NOT_FOUND',
  UnknownKind: 'UNKNOWN_ATTRIBUTE_KIND',
  NoDataset: 'NO_DATASET',
} as const;
