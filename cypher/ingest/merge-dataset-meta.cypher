MERGE (m:Meta {key: 'dataset'})
SET m.source = $source, m.kinds = $kinds, m.positiveThreshold = $positiveThreshold,
    m.minHistory = $minHistory, m.minSupport = $minSupport, m.topM = $topM, m.writer = $writer,
    m.importedAt = datetime()
