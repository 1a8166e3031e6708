// A cold-start item. CREATE (not MERGE): an existing id fails on the item_id_unique constraint.
CREATE (i:Item {id: $id, title: $title, year: $year, coldStart: true, addedAt: datetime()})
