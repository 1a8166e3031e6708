// Builds the attribute networks G_k for a batch of items i: i--j in G_k iff at least $minSupport
// users PURCHASED both (training positives only) and i, j share a value of kind k. Stored once per
// pair, from the smaller id to the larger; weight = co-purchasers, via = shared value ids (max 5).
// $itemIds: [id]; $kinds: [{prefix: 'actor:', rel: 'ACTOR'}]
UNWIND $itemIds AS iid
MATCH (i:Item {id: iid})<-[:PURCHASED]-(:User)-[:PURCHASED]->(j:Item)
WHERE i.id < j.id
WITH i, j, count(*) AS weight
WHERE weight >= $minSupport
WITH i, j, weight, [v IN i.attrs WHERE v IN j.attrs] AS shared
WHERE size(shared) > 0
UNWIND $kinds AS k
WITH i, j, weight, k, [v IN shared WHERE v STARTS WITH k.prefix | substring(v, size(k.prefix))] AS via
WHERE size(via) > 0
CREATE (i)-[r:$(k.rel)]->(j)
SET r.weight = weight, r.via = via[0..5]
RETURN k.rel AS rel, count(r) AS edges
