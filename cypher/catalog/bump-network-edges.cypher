// Live update of the attribute networks for a NEW purchase (u buys i): every item j the user
// already purchased that shares a value of kind k with i gains one co-purchaser on edge i--j in
// G_k, or gets the edge once the pair reaches $minSupport co-purchasers (counted before this
// purchase, + 1). Runs BEFORE the PURCHASED write in the same transaction and does nothing when
// the purchase already exists, so a repeated call changes nothing.
// $userId, $itemId, $minSupport, $kinds: [{prefix: 'actor:', rel: 'ACTOR'}]
MATCH (i:Item {id: $itemId})
MATCH (u:User {id: $userId})-[:PURCHASED]->(j:Item)
WHERE j <> i AND NOT EXISTS { (u)-[:PURCHASED]->(i) }
WITH i, j, [v IN coalesce(i.attrs, []) WHERE v IN coalesce(j.attrs, [])] AS shared
WHERE size(shared) > 0
UNWIND $kinds AS k
WITH i, j, k, [v IN shared WHERE v STARTS WITH k.prefix | substring(v, size(k.prefix))] AS via
WHERE size(via) > 0
WITH k, via,
     CASE WHEN i.id < j.id THEN i ELSE j END AS a,
     CASE WHEN i.id < j.id THEN j ELSE i END AS b
OPTIONAL MATCH (a)-[r]->(b)
WHERE type(r) = k.rel
WITH k, via, a, b, r,
     CASE WHEN r IS NULL THEN COUNT { (a)<-[:PURCHASED]-(:User)-[:PURCHASED]->(b) } + 1 ELSE 0 END AS fresh
SET r.weight = r.weight + 1
FOREACH (_ IN CASE WHEN r IS NULL AND fresh >= $minSupport THEN [1] ELSE [] END |
  CREATE (a)-[n:$(k.rel)]->(b)
  SET n.weight = fresh, n.via = via[0..5]
)
RETURN count(*) AS touched
