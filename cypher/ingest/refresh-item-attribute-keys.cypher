// Caches each item's attribute uids as a list so the network build can intersect two items' values
// without expanding high-degree value nodes (a genre can hold most of the catalogue).
UNWIND $ids AS id
MATCH (i:Item {id: id})
SET i.attrs = COLLECT { MATCH (i)-->(a:Attribute) RETURN a.uid ORDER BY a.uid }
