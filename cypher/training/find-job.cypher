// A training job by id, for trainingJob(id) on any replica.
MATCH (j:TrainingJob {id: $id})
RETURN j.id AS id, j.status AS status, j.phase AS phase, j.epoch AS epoch, j.epochs AS epochs, j.loss AS loss,
       j.validationNdcg AS validationNdcg, j.startedAt AS startedAt, j.finishedAt AS finishedAt, j.error AS error,
       j.modelVersion AS modelVersion, j.heartbeatAt AS heartbeatAt, j.threadId AS threadId
