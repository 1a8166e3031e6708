// Which item pairs are adjacent in one attribute network: an edge of the network as stored, in
// either direction (edges are stored once). Explanations say whether their anchor is linked to the
// item in G_k*, and the paper's families put the purchases adjacent to the item first. One network
// type per statement, written into the pattern ({{rel}}, CypherRegistry.typed): with the type a
// parameter, Neo4j 5.26 reads every relationship of a dense item (its purchases and the other
// networks too) and filters afterwards.
// $pairs: [{a, b}]; returns the adjacent ones.
UNWIND $pairs AS pair
MATCH (a:Item {id: pair.a})-[:{{rel}}]-(b:Item {id: pair.b})
RETURN DISTINCT pair.a AS a, pair.b AS b
