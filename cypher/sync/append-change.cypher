// Appends one entry to the change log that every API replica polls (sync/read-changes), inside the
// transaction of the write it describes, as its LAST statement: the log's counter stays locked
// until that transaction commits, so sequence numbers follow commit order with no gaps, and the
// global lock is held only for the commit. A 'user' entry also stamps the user's `rev` (their
// history version on every replica). The oldest entry beyond $retain is deleted, so the log stays
// bounded. $kind ('user' | 'item'), $key (user or item id), $retain
MERGE (log:Meta {key: 'changes'})
SET log.seq = coalesce(log.seq, 0) + 1
CREATE (c:Change {seq: log.seq, kind: $kind, key: $key, at: timestamp()})
WITH log, c
OPTIONAL MATCH (u:User {id: $key})
WHERE $kind = 'user'
SET u.rev = c.seq
WITH DISTINCT log
OPTIONAL MATCH (old:Change {seq: log.seq - $retain})
DELETE old
RETURN log.seq AS seq
