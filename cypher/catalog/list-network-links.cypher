// Neighbours per attribute network of the given items (edges are stored once: both directions).
// $ids: [item id], $rels: ['ACTOR', ...]
UNWIND $ids AS id
MATCH (x:Item {id: id})
RETURN x.id AS id,
       COLLECT { MATCH (x)-[r]-(j:Item) WHERE type(r) IN $rels RETURN {rel: type(r), id: j.id} } AS links
