// Items for type-ahead: the item whose id is $text, then titles starting with it, then titles
// containing it (case-insensitive), alphabetically. The import creates no text index, so this
// reads every item once (linear in the catalogue, a few ms for thousands of items).
MATCH (i:Item)
WITH i, toLower(i.title) AS title, toLower($text) AS text
WHERE i.id = $text OR title CONTAINS text
RETURN i.id AS id
ORDER BY CASE WHEN i.id = $text THEN 0 WHEN title STARTS WITH text THEN 1 ELSE 2 END, title, i.id
LIMIT $limit
