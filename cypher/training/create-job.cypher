// Records a retrain job unless one is queued or running: one job at a time across every replica
// and worker. Setting a property of the :Meta {key: 'training'} node locks it until commit, so
// concurrent attempts run one after the other and exactly one creates its job. A running job
// whose trainer stopped sending heartbeats (its process died) is failed first.
// $job: {id, status ('QUEUED' | 'RUNNING'), epochs, options (JSON), mode, owner}; $now, $staleBefore: ms
MERGE (lock:Meta {key: 'training'})
SET lock.at = $now
WITH lock
OPTIONAL MATCH (stale:TrainingJob {status: 'RUNNING'})
WHERE stale.heartbeatAt < $staleBefore
SET stale.status = 'FAILED', stale.phase = 'done', stale.finishedAt = $now,
    stale.error = 'its trainer stopped sending heartbeats (process ended?): start the job again'
WITH DISTINCT lock
OPTIONAL MATCH (busy:TrainingJob)
WHERE busy.status IN ['QUEUED', 'RUNNING']
WITH head(collect(busy.id)) AS busyId
FOREACH (_ IN CASE WHEN busyId IS NULL THEN [1] ELSE [] END |
  CREATE (:TrainingJob {
    id: $job.id, status: $job.status, phase: 'extract', epoch: 0, epochs: $job.epochs, options: $job.options,
    mode: $job.mode, owner: $job.owner, startedAt: $now, heartbeatAt: $now
  })
)
RETURN busyId
