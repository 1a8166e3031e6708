// Top-M cap, step 1: for each item of the batch, mark its M strongest edges of type $rel
// (weight desc, then neighbour id asc). An edge survives if EITHER endpoint marked it.
UNWIND $itemIds AS iid
MATCH (i:Item {id: iid})
CALL (i) {
  MATCH (i)-[r]-(j:Item)
  WHERE type(r) = $rel
  WITH r, j ORDER BY r.weight DESC, j.id ASC
  LIMIT $topM
  SET r.keep = true
}
