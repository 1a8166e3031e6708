// One page of users with R_u (PURCHASED, the positives the model scores with) and every other
// item they have (HELD_OUT evaluation positives, RATED non-positives): those are never recommended.
// `rev`: the user's history version (see read-user-history).
MATCH (u:User)
WHERE u.id > $after
WITH u ORDER BY u.id LIMIT $limit
RETURN u.id AS user, coalesce(u.rev, 0) AS rev,
       COLLECT { MATCH (u)-[p:PURCHASED]->(i:Item) RETURN i.id ORDER BY p.at, i.id } AS purchased,
       COLLECT { MATCH (u)-[:HELD_OUT|RATED]->(i:Item) RETURN i.id } AS other
