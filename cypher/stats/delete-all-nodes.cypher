// Empties the database, step 2: the (now unconnected) nodes.
MATCH (n)
CALL (n) {
  DELETE n
} IN TRANSACTIONS OF 20000 ROWS
