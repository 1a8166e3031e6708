MATCH (m:Meta {key: 'dataset'})
RETURN m.source AS source, m.kinds AS kinds, m.positiveThreshold AS positiveThreshold,
       m.minHistory AS minHistory, m.minSupport AS minSupport, m.topM AS topM, m.writer AS writer,
       toString(m.importedAt) AS importedAt
