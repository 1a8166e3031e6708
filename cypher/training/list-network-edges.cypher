// One page of an attribute network's edges (each stored once, from the smaller item id).
MATCH (i:Item)
WHERE i.id > $after
WITH i ORDER BY i.id LIMIT $limit
MATCH (i)-[r]->(j:Item)
WHERE type(r) = $rel
RETURN i.id AS a, j.id AS b, r.weight AS weight
