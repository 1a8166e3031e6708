// The NETWORK_PATH mode of explanations, for rows where no purchase shares a value of k* with the
// item (the other modes are traced in memory, src/recommend/explanation-trace.ts): for each row, the
// shortest G_k* path (up to 3 hops) from the purchase `from` to the item, behind the user's
// PURCHASED link to `from`; rows without one return nothing. One network type per statement,
// written into the pattern ({{rel}}, CypherRegistry.typed): with the type a parameter, Neo4j 5.26
// reads every relationship of each node on the way (purchases and the other networks too) and
// filters afterwards, and `[:$(rel)*1..3]` is not applied in shortestPath at all.
// $rows: [{user, item, from}]
UNWIND $rows AS row
MATCH (u:User {id: row.user})
MATCH (j:Item {id: row.from})
MATCH (i:Item {id: row.item})
WITH row, u, j, i
WHERE j <> i
MATCH p = shortestPath((j)-[:{{rel}}*1..3]-(i))
CALL (u, j) {
  MATCH (u)-[pr:PURCHASED]->(j)
  RETURN pr
  LIMIT 1
}
RETURN row.user AS user, row.item AS item,
       [n IN [u] + nodes(p) | {
         type: CASE WHEN n:User THEN 'USER' WHEN n:Item THEN 'ITEM' ELSE 'ATTRIBUTE' END,
         id: CASE WHEN n:Attribute THEN n.uid ELSE n.id END,
         name: coalesce(n.title, n.name, n.id),
         kind: n.kind
       }] AS nodes,
       [r IN [pr] + relationships(p) | {type: type(r), from: startNode(r).id, to: endNode(r).id}] AS relationships
