// $rows: [{user, item, rating, at}]: held-out positives for evaluation. A separate relationship type
// keeps them out of every network and of R_u, while the graph still records them.
UNWIND $rows AS row
MATCH (u:User {id: row.user})
MATCH (i:Item {id: row.item})
MERGE (u)-[h:HELD_OUT]->(i)
SET h.rating = row.rating, h.at = row.at
