// A training worker (`eran worker`) takes the oldest queued job, under the same lock as
// create-job, so that two workers never take the same one. $owner, $now (ms)
MERGE (lock:Meta {key: 'training'})
SET lock.at = $now
WITH lock
MATCH (j:TrainingJob {status: 'QUEUED'})
WITH j ORDER BY j.startedAt, j.id LIMIT 1
SET j.status = 'RUNNING', j.owner = $owner, j.heartbeatAt = $now
RETURN j.id AS id, j.options AS options
