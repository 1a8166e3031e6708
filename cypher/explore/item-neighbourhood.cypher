// An item's neighbourhood in every attribute network, strongest edges first.
// In Neo4j Browser: :param itemId => '1'   :param limit => 50
MATCH p = (i:Item {id: $itemId})-[r]-(j:Item)
WITH p, r
ORDER BY r.weight DESC
LIMIT $limit
RETURN p
