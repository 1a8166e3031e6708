// The model version published for every replica (none before the first publication: a replica
// then serves the newest checkpoint in CHECKPOINT_DIR).
OPTIONAL MATCH (m:Meta {key: 'model'})
RETURN m.version AS version
