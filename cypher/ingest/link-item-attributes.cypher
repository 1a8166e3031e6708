// $rows: [{item, uid, rel, rank}]; rel = HAS_<KIND>. Existence is checked from the two bound nodes
// (a MERGE with a dynamic type would scan every relationship), so re-running creates nothing twice.
UNWIND $rows AS row
MATCH (i:Item {id: row.item})
MATCH (a:Attribute {uid: row.uid})
WITH i, a, row
WHERE NOT EXISTS { MATCH (i)-[r]->(a) WHERE type(r) = row.rel }
CREATE (i)-[h:$(row.rel)]->(a)
SET h.rank = row.rank
