// Every attribute value (actor, director, genre, ...) with its display name, for filters and texts.
MATCH (a:Attribute)
RETURN a.uid AS uid, a.kind AS kind, a.id AS id, coalesce(a.name, a.id) AS name
ORDER BY uid
