// Whether the database holds anything at all (the bulk importer only loads an empty database).
MATCH (n)
RETURN count(n) > 0 AS any
LIMIT 1
