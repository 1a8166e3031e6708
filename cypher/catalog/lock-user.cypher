// First statement of every write transaction about a user: creates the user on their first write
// and takes the user's write lock (setting a property locks the node until the transaction ends;
// it is removed again, so nothing is stored). Concurrent writes for one user then run one after
// the other, and each sees what the previous one committed. MERGE on :User is safe on its own
// thanks to the user_id_unique constraint; `created` tells which transaction created the user.
// $userId
MERGE (u:User {id: $userId})
ON CREATE SET u.__created = true
SET u.__lock = true
WITH u, coalesce(u.__created, false) AS created
REMOVE u.__lock, u.__created
RETURN created
