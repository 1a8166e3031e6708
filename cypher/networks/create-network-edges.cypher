// Writes attribute-network edges built in memory (src/networks/build-networks.ts) for one kind:
// $rel = ACTOR | DIRECTOR | GENRE | ...; $rows: [{a, b, weight, via}] with a < b (string order), the
// direction the Cypher construction uses too. CREATE, not MERGE: the import deletes the kind's
// edges first, so a rerun rewrites them instead of doubling them.
UNWIND $rows AS row
MATCH (a:Item {id: row.a})
MATCH (b:Item {id: row.b})
CREATE (a)-[r:$($rel)]->(b)
SET r.weight = toInteger(row.weight), r.via = row.via
