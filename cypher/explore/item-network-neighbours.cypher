// An item's neighbours in ONE attribute network, as a table: who, how strong, through which values.
// In Neo4j Browser: :param itemId => '1'   :param network => 'ACTOR'   :param limit => 25
MATCH (i:Item {id: $itemId})-[r]-(j:Item)
WHERE type(r) = $network
RETURN j.id AS neighbour, j.title AS title, r.weight AS coPurchasers, r.via AS sharedValues
ORDER BY coPurchasers DESC, neighbour
LIMIT $limit
