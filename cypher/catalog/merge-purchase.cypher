// A positive purchase (rating above the dataset's threshold); creates the user on their first one.
MATCH (i:Item {id: $itemId})
MERGE (u:User {id: $userId})
MERGE (u)-[p:PURCHASED]->(i)
SET p.rating = $rating, p.at = $at
