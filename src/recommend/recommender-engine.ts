/**
 * The port between the API and the model: everything the services need from a trained eRAN,
 * in external ids. The adapter over src/model is `EranEngine` (eran-engine.ts); tests or another
 * model can implement the same interface. Histories are passed at call time (eq. 13 reads R_u at
 * request time), so a purchase recorded a moment ago counts without retraining.
 */
export interface UserHistory {
  readonly userId: string;
  /** R_u: the user's positives (PURCHASED), oldest first. */
  readonly purchased: readonly string[];
  /** Incremented on every change, so that state derived from a history can be cached per version. */
  readonly version: number;
}

export interface ScoredItem {
  readonly itemId: string;
  readonly score: number;
}

export interface ScoredUser {
  readonly userId: string;
  readonly score: number;
}

export interface KindWeight {
  readonly kind: string;
  readonly weight: number;
}

export interface NeighbourCandidate {
  readonly itemId: string;
  /** sim_u(i, j) = -||h_{u,i} - h_{u,j}||^2 (eq. 8). */
  readonly similarity: number;
}

/** The model's half of an explanation (paper 3.4); the graph half (path, shared values) comes from Neo4j. */
export interface EngineExplanation {
  readonly itemId: string;
  /** k* = argmax_k a~^k_{u,i}. */
  readonly topKind: string;
  /** a~^k_{u,i} per kind, in model order, summing to 1. */
  readonly attention: readonly KindWeight[];
  /** Purchased items ranked by sim_u(i, j), most similar first: j* is chosen among them in the graph. */
  readonly candidates: readonly NeighbourCandidate[];
}

export interface RecommenderEngine {
  readonly kinds: readonly string[];
  /** Items the engine can score: trained items plus cold-start items encoded since. */
  readonly itemCount: number;
  hasItem(itemId: string): boolean;
  /** Whether the user had an embedding at training time (others get the model's fold-in fallback). */
  isLearnedUser(userId: string): boolean;
  /** eq. 13, the k best items for which `keep` holds (owned items never appear). */
  recommend(history: UserHistory, k: number, keep: (itemId: string) => boolean): ScoredItem[];
  /** k*, attention and ranked anchor candidates for each item (unknown items are skipped). */
  explain(history: UserHistory, itemIds: readonly string[], maxCandidates: number): EngineExplanation[];
  /** eq. 8 under the user's attention when a history is given, kind-averaged codes otherwise. */
  similarItems(itemId: string, history: UserHistory | null, k: number, keep: (itemId: string) => boolean): ScoredItem[];
  /** eq. 14 aggregate over each user's history: the k users most likely to want the item. */
  audience(itemId: string, histories: Iterable<UserHistory>, k: number): ScoredUser[];
  /**
   * eq. 14 cold start: encodes a new item from its neighbours in each G_k with the trained
   * encoders and makes it scorable. Returns false when the item is already known.
   */
  encodeNewItem(itemId: string, neighboursPerKind: ReadonlyMap<string, readonly string[]>): boolean;
  /** Frees tensors (the encoders); the engine must not be used afterwards. */
  dispose(): void;
}
