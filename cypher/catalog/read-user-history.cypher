// One user's R_u (PURCHASED, oldest first), the other items they have (HELD_OUT, RATED: never
// recommended) and `rev`, the change-log sequence number of their last write (their history
// version on every replica). Read when a replica serves a user it has not cached.
MATCH (u:User {id: $userId})
RETURN coalesce(u.rev, 0) AS rev,
       COLLECT { MATCH (u)-[p:PURCHASED]->(i:Item) RETURN i.id ORDER BY p.at, i.id } AS purchased,
       COLLECT { MATCH (u)-[:HELD_OUT|RATED]->(i:Item) RETURN i.id } AS other
