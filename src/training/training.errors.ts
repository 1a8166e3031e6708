export const TrainingErrorCode = {
  JobRunning: 'TRAINING_JOB_RUNNING',
  JobNotFound: 'TRAINING_JOB_NOT_FOUND',
} as const;
