export const TrainingErrorCode = {
  JobRunning: 'TRAINING_JOB_RUNNING',
  JobNotFound: 'TRAINING_JOB_NOT_FOUND',
  VersionNotFound: 'MODEL_VERSION_NOT_FOUND',
  VersionNotLoaded: 'MODEL_VERSION_NOT_LOADED',
  UnknownKind: 'UNKNOWN_ATTRIBUTE_KIND',
  NoDataset: 'NO_DATASET',
} as const;
