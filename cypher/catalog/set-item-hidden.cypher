// Hides (or shows again) an item: hidden items are never recommended, listed as similar or in audiences.
MATCH (i:Item {id: $itemId})
SET i.hidden = $hidden
RETURN i.id AS id
