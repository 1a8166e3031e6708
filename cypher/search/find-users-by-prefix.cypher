// Users whose id starts with $prefix, for type-ahead: shortest ids first ("1" before "10"), then
// alphabetically. STARTS WITH is answered by the range index behind the :User(id) uniqueness
// constraint, so only matching users are read; purchases are counted from the node's degree.
MATCH (u:User)
WHERE u.id STARTS WITH $prefix
WITH u
ORDER BY size(u.id), u.id
LIMIT $limit
RETURN u.id AS id, COUNT { (u)-[:PURCHASED]->() } AS purchases
