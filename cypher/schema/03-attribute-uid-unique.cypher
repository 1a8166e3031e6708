// uid = "<kind>:<value id>", e.g. "actor:johnny-depp": value ids are unique within a kind only.
CREATE CONSTRAINT attribute_uid_unique IF NOT EXISTS FOR (a:Attribute) REQUIRE a.uid IS UNIQUE
