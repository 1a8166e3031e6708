// $rows: [{user, item, rating, at}]: training positives only (rating above the threshold).
UNWIND $rows AS row
MATCH (u:User {id: row.user})
MATCH (i:Item {id: row.item})
MERGE (u)-[p:PURCHASED]->(i)
SET p.rating = row.rating, p.at = row.at
