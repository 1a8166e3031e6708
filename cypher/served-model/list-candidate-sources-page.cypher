// One page of items with what candidate generation reads when a model is activated: how many
// users purchased each item, and per attribute network ($rels, e.g. ['ACTOR', ...]) its $perItem
// strongest links by co-purchase weight (edges are stored once: both directions are matched).
MATCH (i:Item)
WHERE i.id > $after
WITH i ORDER BY i.id LIMIT $limit
RETURN i.id AS id,
       COUNT { (i)<-[:PURCHASED]-(:User) } AS purchases,
       [rel IN $rels | COLLECT {
         MATCH (i)-[r]-(j:Item)
         WHERE type(r) = rel
         RETURN j.id ORDER BY r.weight DESC, j.id LIMIT $perItem
       }] AS links
