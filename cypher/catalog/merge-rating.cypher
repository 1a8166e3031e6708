// A non-positive rating: the user has the item (it is never recommended to them) but it is not a
// purchase in R_u and changes no network.
MATCH (i:Item {id: $itemId})
MERGE (u:User {id: $userId})
MERGE (u)-[r:RATED]->(i)
SET r.rating = $rating, r.at = $at
