// Item details with attribute values (billing order first) and purchase counts. $ids: [item id]
UNWIND $ids AS id
MATCH (i:Item {id: id})
RETURN i.id AS id, coalesce(i.title, i.id) AS title, i.year AS year, coalesce(i.hidden, false) AS hidden,
       coalesce(i.coldStart, false) AS coldStart,
       COLLECT {
         MATCH (i)-[h]->(a:Attribute)
         RETURN {kind: a.kind, id: a.id, name: coalesce(a.name, a.id), rank: h.rank}
         ORDER BY a.kind, coalesce(h.rank, 1000000), a.id
       } AS attributes,
       COUNT { (i)<-[:PURCHASED]-(:User) } AS purchases
