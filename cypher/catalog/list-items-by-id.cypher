// Items named by change-log entries (added, hidden or shown again through another replica), with
// their attribute values, for the replica's in-memory item directory.
UNWIND $ids AS id
MATCH (i:Item {id: id})
RETURN i.id AS id, coalesce(i.title, i.id) AS title, i.year AS year, coalesce(i.hidden, false) AS hidden,
       coalesce(i.coldStart, false) AS coldStart, coalesce(i.attrs, []) AS attrs,
       COLLECT { MATCH (i)-->(v:Attribute) RETURN v {.uid, .kind, .id, name: coalesce(v.name, v.id)} } AS values
