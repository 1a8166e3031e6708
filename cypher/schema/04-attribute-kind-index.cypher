CREATE INDEX attribute_kind IF NOT EXISTS FOR (a:Attribute) ON (a.kind)
