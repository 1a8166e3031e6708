// $ids: [user id]
UNWIND $ids AS id
MERGE (:User {id: id})
