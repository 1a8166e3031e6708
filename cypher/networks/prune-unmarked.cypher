// Top-M cap, step 2: delete the edges of type $rel that no endpoint kept, and clear the marks.
UNWIND $itemIds AS iid
MATCH (i:Item {id: iid})-[r]->(:Item)
WHERE type(r) = $rel
WITH r, r.keep IS NULL AS dropIt
FOREACH (_ IN CASE WHEN dropIt THEN [1] ELSE [] END | DELETE r)
FOREACH (_ IN CASE WHEN dropIt THEN [] ELSE [1] END | REMOVE r.keep)
