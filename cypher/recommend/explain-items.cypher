// The graph half of explanations (paper 3.4), for ALL recommendations of a response in one round
// trip. Per row the model gives k* (kind, prefix 'actor:', has 'HAS_ACTOR', rel 'ACTOR') and the
// user's purchases ranked by sim_u(i, j). The anchor j* is the most similar purchase that shares a
// value of k* with i, preferring one adjacent to i in G_k*; the path is
//   (u)-[:PURCHASED]->(j*)-[:HAS_K]->(value)<-[:HAS_K]-(i).
// When no ranked purchase shares a value of k*: the shortest G_k* path (up to 4 hops) from the most
// similar purchase to i; failing that, a value of another kind shared with a ranked purchase;
// failing that, only (u)-[:PURCHASED]->(j*) (mode NONE). Every path returned exists in the graph.
// $rows: [{user, item, prefix, has, rel, candidates: [item id]}]
UNWIND $rows AS row
MATCH (u:User {id: row.user})
MATCH (i:Item {id: row.item})
OPTIONAL CALL (u, i, row) {
  UNWIND range(0, size(row.candidates) - 1) AS pos
  MATCH (j:Item {id: row.candidates[pos]})
  WHERE EXISTS { (u)-[:PURCHASED]->(j) }
  WITH pos, j, [v IN coalesce(j.attrs, []) WHERE v STARTS WITH row.prefix AND v IN coalesce(i.attrs, [])] AS shared
  WHERE size(shared) > 0
  WITH pos, j, shared, EXISTS { (j)-[r]-(i) WHERE type(r) = row.rel } AS adjacent
  ORDER BY adjacent DESC, pos ASC
  LIMIT 1
  RETURN j AS sharing, shared, adjacent
}
OPTIONAL CALL (u, i, row, sharing) {
  WITH u, i, row
  WHERE sharing IS NULL AND size(row.candidates) > 0
  MATCH (u)-[:PURCHASED]->(j:Item {id: row.candidates[0]})
  MATCH p = shortestPath((j)-[rs*1..4]-(i))
  WHERE all(r IN rs WHERE type(r) = row.rel)
  RETURN j AS linked, p AS networkPath
}
OPTIONAL CALL (u, i, row, sharing, networkPath) {
  WITH u, i, row
  WHERE sharing IS NULL AND networkPath IS NULL AND size(row.candidates) > 0
  UNWIND range(0, size(row.candidates) - 1) AS pos
  MATCH (j:Item {id: row.candidates[pos]})
  WHERE EXISTS { (u)-[:PURCHASED]->(j) }
  WITH pos, j, [v IN coalesce(j.attrs, []) WHERE v IN coalesce(i.attrs, [])] AS shared
  WHERE size(shared) > 0
  RETURN j AS otherSharing, shared AS otherShared
  ORDER BY pos
  LIMIT 1
}
WITH u, i, row, sharing, adjacent, linked, networkPath, otherSharing,
     coalesce(sharing, otherSharing) AS anchor, coalesce(shared, otherShared) AS values
OPTIONAL CALL (u, i, anchor, values) {
  WITH u, i, anchor, values
  WHERE values IS NOT NULL
  MATCH (anchor)-[h1]->(v:Attribute)
  WHERE v.uid IN values
  MATCH (i)-[h2]->(v)
  WHERE type(h2) = type(h1)
  MATCH p = (u)-[:PURCHASED]->(anchor)-[h1]->(v)<-[h2]-(i)
  WITH p, v, h2 ORDER BY coalesce(h2.rank, 1000000), v.uid
  RETURN collect({kind: v.kind, id: v.id, name: coalesce(v.name, v.id)}) AS sharedValues, head(collect(p)) AS valuePath
}
OPTIONAL CALL (u, row, anchor, networkPath) {
  WITH u, row
  WHERE anchor IS NULL AND networkPath IS NULL AND size(row.candidates) > 0
  MATCH p = (u)-[:PURCHASED]->(j:Item {id: row.candidates[0]})
  RETURN p AS purchasePath
}
WITH row, i, sharing, adjacent, networkPath, sharedValues,
     CASE
       WHEN sharing IS NOT NULL THEN 'SHARED_VALUE'
       WHEN networkPath IS NOT NULL THEN 'NETWORK_PATH'
       WHEN valuePath IS NOT NULL THEN 'OTHER_VALUE'
       ELSE 'NONE'
     END AS mode,
     CASE
       WHEN valuePath IS NOT NULL THEN nodes(valuePath)
       WHEN networkPath IS NOT NULL THEN [u, linked] + tail(nodes(networkPath))
       WHEN purchasePath IS NOT NULL THEN nodes(purchasePath)
       ELSE []
     END AS pathNodes,
     CASE
       WHEN valuePath IS NOT NULL THEN relationships(valuePath)
       WHEN networkPath IS NOT NULL THEN COLLECT { MATCH (u)-[pr:PURCHASED]->(linked) RETURN pr } + relationships(networkPath)
       WHEN purchasePath IS NOT NULL THEN relationships(purchasePath)
       ELSE []
     END AS pathRels
RETURN row.user AS user, row.item AS item, mode, coalesce(adjacent, false) AS adjacent,
       coalesce(sharedValues, []) AS sharedValues,
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
