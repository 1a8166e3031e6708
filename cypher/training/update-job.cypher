// Progress, heartbeat or outcome of a training job, written by whoever runs it. $id, $fields
MATCH (j:TrainingJob {id: $id})
SET j += $fields
RETURN j.id AS id
