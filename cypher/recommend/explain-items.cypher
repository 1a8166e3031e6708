// The graph half of explanations (paper 3.4), for ALL recommendations of a response in one round
// trip. Per row the model gives k* (prefix 'actor:', rel 'ACTOR') and the user's purchases ranked
// by sim_u(i, j) (taken from R_u, so PURCHASED is matched only on the path).
// j* = the most similar purchase sharing a value of k* with i, preferring one adjacent to i in
// G_k* (among the 5 most similar sharing ones); path (u)-[:PURCHASED]->(j*)-[:HAS_K]->(value)
// <-[:HAS_K]-(i) through the value i bills first. When no ranked purchase shares a value of k*:
// the shortest G_k* path (up to 3 hops) from the most similar purchase to i; failing that, a
// value of another kind shared with a ranked purchase; failing that, only (u)-[:PURCHASED]->(j*)
// (mode NONE). Shared values come from intersecting the items' `attrs` lists, which never expands
// a value node (a genre holds hundreds of items). Every path returned is matched, so it exists.
// $rows: [{user, item, prefix, rel, candidates: [item id]}]
UNWIND $rows AS row
MATCH (u:User {id: row.user})
MATCH (i:Item {id: row.item})
WITH u, i, row, coalesce(i.attrs, []) AS itemAttrs
OPTIONAL CALL (i, row, itemAttrs) {
  UNWIND range(0, size(row.candidates) - 1) AS pos
  MATCH (j:Item {id: row.candidates[pos]})
  WITH pos, j, [v IN coalesce(j.attrs, []) WHERE v STARTS WITH row.prefix AND v IN itemAttrs] AS shared
  WHERE size(shared) > 0
  // Adjacency is checked for the 5 most similar sharing purchases only: each check scans the
  // relationships of an item, and the most similar ones are where j* should come from anyway.
  WITH pos, j, shared ORDER BY pos LIMIT 5
  WITH pos, j, shared, EXISTS { (j)-[r]-(i) WHERE type(r) = row.rel } AS adjacent
  ORDER BY adjacent DESC, pos ASC
  LIMIT 1
  RETURN j AS sharing, shared, adjacent
}
OPTIONAL CALL (i, row, sharing) {
  WITH i, row
  WHERE sharing IS NULL AND size(row.candidates) > 0
  MATCH (j:Item {id: row.candidates[0]})
  MATCH p = shortestPath((j)-[rs*1..3]-(i))
  WHERE all(r IN rs WHERE type(r) = row.rel)
  RETURN j AS linked, p AS networkPath
}
OPTIONAL CALL (row, sharing, networkPath, itemAttrs) {
  WITH row
  WHERE sharing IS NULL AND networkPath IS NULL
  UNWIND range(0, size(row.candidates) - 1) AS pos
  MATCH (j:Item {id: row.candidates[pos]})
  WITH pos, j, [v IN coalesce(j.attrs, []) WHERE v IN itemAttrs] AS shared
  WHERE size(shared) > 0
  RETURN j AS otherSharing, shared AS otherShared
  ORDER BY pos
  LIMIT 1
}
WITH u, i, row, sharing, adjacent, linked, networkPath,
     coalesce(sharing, otherSharing) AS anchor, coalesce(shared, otherShared) AS values
OPTIONAL CALL (u, i, anchor, values) {
  WITH u, i, anchor, values
  WHERE values IS NOT NULL
  MATCH (v:Attribute)
  WHERE v.uid IN values
  MATCH (i)-[h]->(v)
  WITH u, i, anchor, v ORDER BY coalesce(h.rank, 1000000), v.uid
  WITH u, i, anchor, collect(v) AS vs
  WITH u, i, anchor, vs, head(vs) AS first
  MATCH p = (u)-[:PURCHASED]->(anchor)-->(first)<--(i)
  RETURN [v IN vs | {kind: v.kind, id: v.id, name: coalesce(v.name, v.id)}] AS sharedValues, p AS valuePath
  LIMIT 1
}
OPTIONAL CALL (u, row, anchor, networkPath) {
  WITH u, row
  WHERE anchor IS NULL AND networkPath IS NULL AND size(row.candidates) > 0
  MATCH p = (u)-[:PURCHASED]->(:Item {id: row.candidates[0]})
  RETURN p AS purchasePath
}
OPTIONAL CALL (u, linked, networkPath) {
  WITH u, linked
  WHERE networkPath IS NOT NULL
  MATCH (u)-[pr:PURCHASED]->(linked)
  RETURN pr
}
WITH row, i, sharing, adjacent, networkPath, sharedValues,
     CASE
       WHEN sharing IS NOT NULL AND valuePath IS NOT NULL THEN 'SHARED_VALUE'
       WHEN networkPath IS NOT NULL AND pr IS NOT NULL THEN 'NETWORK_PATH'
       WHEN valuePath IS NOT NULL THEN 'OTHER_VALUE'
       ELSE 'NONE'
     END AS mode,
     CASE
       WHEN valuePath IS NOT NULL THEN nodes(valuePath)
       WHEN networkPath IS NOT NULL AND pr IS NOT NULL THEN [u, linked] + tail(nodes(networkPath))
       WHEN purchasePath IS NOT NULL THEN nodes(purchasePath)
       ELSE []
     END AS pathNodes,
     CASE
       WHEN valuePath IS NOT NULL THEN relationships(valuePath)
       WHEN networkPath IS NOT NULL AND pr IS NOT NULL THEN [pr] + relationships(networkPath)
       WHEN purchasePath IS NOT NULL THEN relationships(purchasePath)
       ELSE []
     END AS pathRels
RETURN row.user AS user, row.item AS item, mode, coalesce(adjacent, false) AND mode = 'SHARED_VALUE' AS adjacent,
       CASE WHEN mode IN ['SHARED_VALUE', 'OTHER_VALUE'] THEN sharedValues ELSE [] END AS sharedValues,
       [n IN pathNodes | {
         type: CASE WHEN n:User THEN 'USER' WHEN n:Item THEN 'ITEM' ELSE 'ATTRIBUTE' END,
         id: CASE WHEN n:Attribute THEN n.uid ELSE n.id END,
         name: coalesce(n.title, n.name, n.id),
         kind: n.kind
       }] AS nodes,
       [r IN pathRels | {
         type: type(r),
         from: CASE WHEN startNode(r):Attribute THEN startNode(r).uid ELSE startNode(r).id END,
         to: CASE WHEN endNode(r):Attribute THEN endNode(r).uid ELSE endNode(r).id END
       }] AS relationships
