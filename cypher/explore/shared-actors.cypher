// The actors two movies share, as paths (item)-[:HAS_ACTOR]->(actor)<-[:HAS_ACTOR]-(item).
// In Neo4j Browser: :param itemA => '1'   :param itemB => '2'
MATCH p = (a:Item {id: $itemA})-[:HAS_ACTOR]->(actor:Actor)<-[:HAS_ACTOR]-(b:Item {id: $itemB})
RETURN p
