// One :Meta node per dataset import records the source, options and attribute kinds.
CREATE CONSTRAINT meta_key_unique IF NOT EXISTS FOR (m:Meta) REQUIRE m.key IS UNIQUE
