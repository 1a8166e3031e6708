// The change log that replicas poll (cypher/sync/): entries are read by sequence number.
CREATE CONSTRAINT change_seq_unique IF NOT EXISTS FOR (c:Change) REQUIRE c.seq IS UNIQUE
