// The graph half of explanations (paper 3.4), for ALL recommendations of a response in one round
// trip. Per row the model gives k* (prefix 'actor:', rel 'ACTOR') and the user's purchases ranked
// by sim_u(i, j); with adjacentFirst (paper 3.4) those adjacent to i in G_k* (an edge of the
// network as stored) move to the front, each part kept in similarity order. The candidates come
// from R_u, so PURCHASED is matched only on the path. `adjacent`: the anchor is adjacent to i.
// j* = the first candidate sharing a value of k* with i; path (u)-[:PURCHASED]->(j*)-[:HAS_K]->
// (value)<-[:HAS_K]-(i) through the rarest shared value.
// When no candidate shares a value of k*: the shortest G_k* path (up to 3 hops) from the most
// similar purchase to i (recommend/network-paths, run afterwards for the rows whose `pathFrom` is
// set: there the network type is written into the pattern, which a parameter cannot do); failing
// that, a value of another kind shared with a candidate (mode OTHER_VALUE, answered here for every
// row without a shared k* value, as the answer when no path is found); failing that, only
// (u)-[:PURCHASED]->(j*) (mode NONE). Shared values come from intersecting the items' `attrs`
// lists, which never expands a value node (a genre holds hundreds of items).
// $rows: [{user, item, prefix, rel, candidates: [item id], adjacentFirst}]; $hasTypes: {actor: 'HAS_ACTOR', ...}
UNWIND $rows AS input
MATCH (u:User {id: input.user})
MATCH (i:Item {id: input.item})
WITH u, i, input,
     CASE WHEN input.adjacentFirst
       THEN [j IN input.candidates WHERE EXISTS { MATCH (i)-[r]-(:Item {id: j}) WHERE type(r) = input.rel }]
       ELSE []
     END AS linkedFirst
WITH u, i, input {.*, candidates: linkedFirst + [j IN input.candidates WHERE NOT j IN linkedFirst]} AS row, coalesce(i.attrs, []) AS itemAttrs
OPTIONAL CALL (row, itemAttrs) {
  UNWIND range(0, size(row.candidates) - 1) AS pos
  MATCH (j:Item {id: row.candidates[pos]})
  WITH pos, j, [v IN coalesce(j.attrs, []) WHERE v STARTS WITH row.prefix AND v IN itemAttrs] AS shared
  WHERE size(shared) > 0
  RETURN j AS sharing, shared
  ORDER BY pos
  LIMIT 1
}
OPTIONAL CALL (row, sharing, itemAttrs) {
  WITH row
  WHERE sharing IS NULL
  UNWIND range(0, size(row.candidates) - 1) AS pos
  MATCH (j:Item {id: row.candidates[pos]})
  WITH pos, j, [v IN coalesce(j.attrs, []) WHERE v IN itemAttrs] AS shared
  WHERE size(shared) > 0
  RETURN j AS otherSharing, shared AS otherShared
  ORDER BY pos
  LIMIT 1
}
WITH u, i, row, sharing,
     coalesce(sharing, otherSharing) AS anchor, coalesce(shared, otherShared) AS values
OPTIONAL CALL (u, anchor, values) {
  WITH u, anchor, values
  WHERE values IS NOT NULL
  MATCH (u)-[pu:PURCHASED]->(anchor)
  MATCH (v:Attribute)
  WHERE v.uid IN values
  // The rarest shared value first: "shares the actor X" says more than "shares the genre Drama".
  WITH pu, v ORDER BY COUNT { (v)<--() } ASC, v.uid
  RETURN pu, collect(v) AS vs
}
OPTIONAL CALL (u, row, pu) {
  WITH u, row
  WHERE pu IS NULL AND size(row.candidates) > 0
  MATCH p = (u)-[:PURCHASED]->(:Item {id: row.candidates[0]})
  RETURN p AS purchasePath
}
WITH u, row, i, anchor, sharing, pu, vs, purchasePath,
     CASE
       WHEN pu IS NOT NULL AND sharing IS NOT NULL THEN 'SHARED_VALUE'
       WHEN pu IS NOT NULL THEN 'OTHER_VALUE'
       ELSE 'NONE'
     END AS mode
WITH row, mode, sharing, [v IN coalesce(vs, []) | {kind: v.kind, id: v.id, name: coalesce(v.name, v.id)}] AS sharedValues,
     CASE mode
       WHEN 'NONE' THEN coalesce(nodes(purchasePath), [])
       ELSE [u, anchor, head(vs), i]
     END AS pathNodes,
     CASE mode
       WHEN 'NONE' THEN [r IN coalesce(relationships(purchasePath), []) | {type: type(r), from: startNode(r).id, to: endNode(r).id}]
       // HAS_<KIND> links are stated by the items' attrs lists, which the import and addItem keep
       // equal to the links in the same transactions: reading the list avoids expanding two items.
       ELSE [
         {type: 'PURCHASED', from: u.id, to: anchor.id},
         {type: $hasTypes[head(vs).kind], from: anchor.id, to: head(vs).uid},
         {type: $hasTypes[head(vs).kind], from: i.id, to: head(vs).uid}
       ]
     END AS relationships
RETURN row.user AS user, row.item AS item, mode,
       CASE WHEN sharing IS NULL AND size(row.candidates) > 0 THEN row.candidates[0] END AS pathFrom,
       mode = 'SHARED_VALUE' AND EXISTS { MATCH (:Item {id: pathNodes[1].id})-[r]-(:Item {id: row.item}) WHERE type(r) = row.rel } AS adjacent,
       CASE WHEN mode IN ['SHARED_VALUE', 'OTHER_VALUE'] THEN sharedValues ELSE [] END AS sharedValues,
       [n IN pathNodes | {
         type: CASE WHEN n:User THEN 'USER' WHEN n:Item THEN 'ITEM' ELSE 'ATTRIBUTE' END,
         id: CASE WHEN n:Attribute THEN n.uid ELSE n.id END,
         name: coalesce(n.title, n.name, n.id),
         kind: n.kind
       }] AS nodes,
       relationships
