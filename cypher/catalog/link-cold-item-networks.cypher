// eq. 14 input: links a cold-start item x into each G_k by its values. It has no purchases, so the
// co-purchase condition cannot hold: x is joined to EVERY item sharing a value of k, with weight 1
// (one notional co-purchaser) and coldStart = true so a rebuild or an analysis can tell them apart.
// $itemId, $kinds: [{has: 'HAS_ACTOR', rel: 'ACTOR'}]
MATCH (x:Item {id: $itemId})
UNWIND $kinds AS k
MATCH (x)-[h]->(v:Attribute)
WHERE type(h) = k.has
MATCH (v)<-[h2]-(j:Item)
WHERE type(h2) = k.has AND j <> x
WITH x, k, j, collect(v.id) AS via
WITH k, via,
     CASE WHEN x.id < j.id THEN x ELSE j END AS a,
     CASE WHEN x.id < j.id THEN j ELSE x END AS b
CREATE (a)-[r:$(k.rel)]->(b)
SET r.weight = 1, r.via = via[0..5], r.coldStart = true
