// A user with their purchases, newest first.
MATCH (u:User {id: $userId})
RETURN u.id AS id,
       COLLECT {
         MATCH (u)-[p:PURCHASED]->(i:Item)
         RETURN {itemId: i.id, rating: p.rating, at: p.at}
         ORDER BY p.at DESC, i.id
       } AS purchases,
       COUNT { (u)-[:HELD_OUT]->(:Item) } AS heldOut
