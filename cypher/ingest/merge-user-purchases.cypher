// $users: [{id, purchased: [{item, rating, at}]}]: kept users and their training positives (rating
// above the threshold). One user lookup per user, not per row; a user with no training positive
// (every positive held out) is still created.
UNWIND $users AS row
MERGE (u:User {id: row.id})
WITH u, row
UNWIND row.purchased AS p
MATCH (i:Item {id: p.item})
MERGE (u)-[r:PURCHASED]->(i)
SET r.rating = p.rating, r.at = p.at
