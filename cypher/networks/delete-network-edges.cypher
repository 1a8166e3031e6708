// Removes every attribute-network edge (of the given types) before a rebuild; batched so a large
// network never needs one huge transaction. Auto-commit only (CALL IN TRANSACTIONS).
MATCH (i:Item)
CALL (i) {
  MATCH (i)-[r]->(:Item)
  WHERE type(r) IN $types
  DELETE r
} IN TRANSACTIONS OF 500 ROWS
