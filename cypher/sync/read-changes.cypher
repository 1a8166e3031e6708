// What an API replica polls (src/sync/change-feed.service.ts), in one round trip: the change log
// after $after (at most $limit entries, oldest first) and its head, the model version published
// for every replica, the import stamp (a new import replaces everything) and the catalogue's
// counts (count store lookups, no scan).
OPTIONAL MATCH (log:Meta {key: 'changes'})
OPTIONAL MATCH (model:Meta {key: 'model'})
OPTIONAL MATCH (dataset:Meta {key: 'dataset'})
CALL () {
  MATCH (u:User)
  RETURN count(u) AS users
}
CALL () {
  MATCH ()-[p:PURCHASED]->()
  RETURN count(p) AS purchases
}
RETURN coalesce(log.seq, 0) AS head, model.version AS modelVersion, toString(dataset.importedAt) AS importedAt, users, purchases,
       COLLECT {
         MATCH (c:Change)
         WHERE c.seq > $after
         WITH c ORDER BY c.seq LIMIT $limit
         RETURN c {.seq, .kind, .key, .at}
       } AS changes
