// $rows: [{id, title, year}]
UNWIND $rows AS row
MERGE (i:Item {id: row.id})
SET i.title = row.title, i.year = row.year
