// Publishes the model version every API replica serves: replicas read it with each change-log
// poll and switch to it (src/served-model/model-registry.service.ts). The version it replaces is
// kept beside it for operators. $version, $by (who published: a training job, a rollback)
MERGE (m:Meta {key: 'model'})
SET m.previous = m.version, m.version = $version, m.publishedAt = datetime(), m.publishedBy = $by
RETURN m.previous AS previous
