// The directors whose films are most densely co-watched: each director's films and the DIRECTOR
// network edges between them. In Neo4j Browser: :param limit => 5
MATCH (d:Director)<-[:HAS_DIRECTOR]-(i:Item)-[r:DIRECTOR]->(j:Item)-[:HAS_DIRECTOR]->(d)
WITH d, count(r) AS edges, sum(r.weight) AS strength
ORDER BY edges DESC, strength DESC
LIMIT $limit
MATCH p = (d)<-[:HAS_DIRECTOR]-(i:Item)-[r:DIRECTOR]->(j:Item)-[:HAS_DIRECTOR]->(d)
RETURN p
