/** Every GraphQL operation the explorer sends, in one place. */
const ITEM = 'id title year coldStart hidden';

export const EXPLANATION_FIELDS = `
  attribute
  attention { kind weight }
  neighbor { id title }
  sharedValues { kind id name }
  mode
  adjacent
  path { nodes { type id name kind } relationships { type from to } }
  text`;

export const RECOMMEND = `query ExplorerRecommend($userId: ID!, $k: Int!) {
  recommend(userId: $userId, k: $k) { rank score item { ${ITEM} } explanation { ${EXPLANATION_FIELDS} } }
}`;

/** Ids only: where an item stands among the user's candidates. */
export const RANKING = `query ExplorerRanking($userId: ID!, $k: Int!) { recommend(userId: $userId, k: $k) { rank item { id } } }`;

export const EXPLAIN = `query ExplorerExplain($userId: ID!, $itemId: ID!) {
  item(itemId: $itemId) { ${ITEM} }
  explain(userId: $userId, itemId: $itemId) { ${EXPLANATION_FIELDS} }
}`;

export const USER = `query ExplorerUser($userId: ID!) {
  user(userId: $userId) { id heldOut purchases { rating at item { ${ITEM} } } }
}`;

export const SEARCH_USERS = `query ExplorerSearchUsers($prefix: String!) { searchUsers(prefix: $prefix, limit: 8) { id purchaseCount } }`;

export const SEARCH_ITEMS = `query ExplorerSearchItems($text: String!) { searchItems(text: $text, limit: 8) { ${ITEM} } }`;

export const SIMILAR = `query ExplorerSimilar($itemId: ID!, $userId: ID) {
  similarItems(itemId: $itemId, userId: $userId, k: 8) { rank score item { ${ITEM} } }
}`;

export const AUDIENCE = `query ExplorerAudience($itemId: ID!) { audience(itemId: $itemId, k: 8) { rank score userId } }`;

export const RECORD_PURCHASE = `mutation ExplorerRecordPurchase($userId: ID!, $itemId: ID!, $rating: Float!) {
  recordPurchase(userId: $userId, itemId: $itemId, rating: $rating) { userId rating positive newUser item { ${ITEM} } }
}`;

export const MODEL = `query ExplorerModel {
  model { version dataset kinds hidden items trainedItems users trainedAt metrics { name text value } }
}`;

const JOB = 'id status phase epoch epochs loss validationNdcg error modelVersion startedAt finishedAt';

export const RETRAIN = `mutation ExplorerRetrain($options: RetrainOptionsInput) { retrainModel(options: $options) { ${JOB} } }`;

export const TRAINING_JOB = `query ExplorerTrainingJob($id: ID!) { trainingJob(id: $id) { ${JOB} } }`;
