// Second statement of a purchase (after lock-user): write-locks the purchased item and every item
// of the user's history that shares a value with it, in id order (one global order cannot
// deadlock). Two purchases that could create or bump the same edge i--j in an attribute network,
// by this user or by another one, then run one after the other, and the second finds the first's
// edge instead of creating a duplicate.
// $userId, $itemId
MATCH (i:Item {id: $itemId})
OPTIONAL MATCH (:User {id: $userId})-[:PURCHASED]->(j:Item)
WHERE j <> i AND any(v IN coalesce(j.attrs, []) WHERE v IN coalesce(i.attrs, []))
WITH i, collect(j) AS others
UNWIND [i] + others AS n
WITH DISTINCT n
ORDER BY n.id
SET n.__lock = true
REMOVE n.__lock
RETURN count(n) AS locked
