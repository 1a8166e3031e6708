// Values of a new item's attributes; an existing value keeps its name (ingest's merge overwrites).
// $rows: [{uid, kind, id, name, label}]
UNWIND $rows AS row
MERGE (a:Attribute {uid: row.uid})
ON CREATE SET a.kind = row.kind, a.id = row.id, a.name = row.name, a:$(row.label)
