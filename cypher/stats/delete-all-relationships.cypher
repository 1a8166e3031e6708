// Empties the database, step 1: relationships in small transactions (a genre network can hold
// millions of edges; DETACH DELETE of dense nodes would exceed the transaction memory pool).
MATCH ()-[r]->()
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 20000 ROWS
