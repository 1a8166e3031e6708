// $rows: [{item, uid, rel, rank}]; rel = HAS_<KIND>. An item's `attrs` list (its attribute uids,
// refreshed in the same transaction) tells whether the link exists: cheaper than expanding a genre
// node that holds half the catalogue, and a MERGE with a dynamic type would scan every relationship.
UNWIND $rows AS row
MATCH (i:Item {id: row.item})
MATCH (a:Attribute {uid: row.uid})
WITH i, a, row
WHERE NOT row.uid IN coalesce(i.attrs, [])
CREATE (i)-[h:$(row.rel)]->(a)
SET h.rank = row.rank
