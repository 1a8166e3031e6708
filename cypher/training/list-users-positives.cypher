// One page of users with their training positives R_u (PURCHASED only, never HELD_OUT).
MATCH (u:User)
WHERE u.id > $after
WITH u ORDER BY u.id LIMIT $limit
RETURN u.id AS user, COLLECT { MATCH (u)-[:PURCHASED]->(i:Item) RETURN i.id } AS items
