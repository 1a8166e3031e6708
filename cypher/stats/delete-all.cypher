// Empties the database in batches (used by `eran import --reset` and the e2e tests).
MATCH (n)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 2000 ROWS
