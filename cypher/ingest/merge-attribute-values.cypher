// $rows: [{uid, kind, id, name, label}]; label is the kind in PascalCase (Actor, Director, Genre, ...).
UNWIND $rows AS row
MERGE (a:Attribute {uid: row.uid})
SET a.kind = row.kind, a.id = row.id, a.name = row.name, a:$(row.label)
