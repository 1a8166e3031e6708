// One page of the catalogue for the server's in-memory item directory: what filters, exclusions
// and titles need on every request, so that a recommendation costs no item lookup.
MATCH (i:Item)
WHERE i.id > $after
WITH i ORDER BY i.id LIMIT $limit
RETURN i.id AS id, coalesce(i.title, i.id) AS title, i.year AS year, coalesce(i.hidden, false) AS hidden,
       coalesce(i.coldStart, false) AS coldStart, coalesce(i.attrs, []) AS attrs
