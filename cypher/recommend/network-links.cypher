// The part of explanations that only the attribute networks hold (the rest is traced in memory,
// src/recommend/explanation-trace.ts), for one network type and all rows of a response that need
// it. A row asks either whether the purchase `from` is adjacent to the item (an edge of G_k* as
// stored, either direction: the `adjacent` flag, and the paper's adjacent-first anchor order), or,
// with `search`, for the shortest G_k* path (up to 3 hops) from `from` to the item, where no
// purchase shares a value of k* with it. One statement per network type, the type written into the
// patterns ({{rel}}, CypherRegistry.typed): with the type a parameter, Neo4j 5.26 reads every
// relationship of each node on the way (purchases and the other networks too) and filters
// afterwards, and `[:$(rel)*1..3]` is not applied in shortestPath at all.
// $rows: [{item, from, search}]; a search row without a path within 3 hops returns path: null.
UNWIND $rows AS row
MATCH (j:Item {id: row.from})
MATCH (i:Item {id: row.item})
OPTIONAL CALL (row, j, i) {
  WITH row, j, i
  WHERE row.search AND j <> i
  MATCH p = shortestPath((j)-[:{{rel}}*1..3]-(i))
  RETURN p
}
RETURN row.item AS item, row.from AS from, row.search AS search,
       CASE WHEN row.search THEN false ELSE EXISTS { (j)-[:{{rel}}]-(i) } END AS adjacent,
       CASE WHEN p IS NULL THEN null ELSE {
         nodes: [n IN nodes(p) | {
           type: CASE WHEN n:User THEN 'USER' WHEN n:Item THEN 'ITEM' ELSE 'ATTRIBUTE' END,
           id: CASE WHEN n:Attribute THEN n.uid ELSE n.id END,
           name: coalesce(n.title, n.name, n.id),
           kind: n.kind
         }],
         relationships: [r IN relationships(p) | {type: type(r), from: startNode(r).id, to: endNode(r).id}]
       } END AS path
