// A user's purchases and the attribute paths that join them: pairs of purchased items that share a
// value (actor, director, genre, ...). In Neo4j Browser: :param userId => '1'   :param limit => 100
MATCH p = (u:User {id: $userId})-[:PURCHASED]->(i:Item)-[h]->(a:Attribute)<-[h2]-(j:Item)<-[:PURCHASED]-(u)
WHERE i.id < j.id AND type(h) = type(h2)
RETURN p
LIMIT $limit
