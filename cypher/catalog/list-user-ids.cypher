// A sample of user ids with at least one purchase (benchmarks, demo).
MATCH (u:User)
WHERE EXISTS { (u)-[:PURCHASED]->(:Item) }
RETURN u.id AS id
ORDER BY id
LIMIT $limit
