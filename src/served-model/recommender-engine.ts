/**
 * The port between the API and the served model: everything the services need from a trained
 * eRAN, in external ids. The implementation over src/model is `EranEngine` (eran-engine.ts); tests
 * or another model can implement the same interface. Histories are passed at call time (the score
 * reads R_u at request time), so a purchase recorded a moment ago counts without retraining.
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

export interface AnchorCandidate {
  readonly itemId: string;
  /** How close the purchase is to the explained item under the model's scoring rule. */
  readonly similarity: number;
}

/** The model's half of an explanation (paper 3.4); the graph half (path, shared values) comes from Neo4j. */
export interface EngineExplanation {
  readonly itemId: string;
  /** The attribute the explanation rests on (k*). */
  readonly topKind: string;
  /** a~^k_{u,i} per kind, in model order, summing to 1. */
  readonly attention: readonly KindWeight[];
  /** Purchases the anchor (j*) is chosen among, best first under the model's rule. */
  readonly anchors: readonly AnchorCandidate[];
  /**
   * true: prefer an anchor adjacent to the item in the k* network (the paper's rule); false: the
   * first anchor is the faithful one (the largest term of the score) and the order is kept.
   */
  readonly adjacentFirst: boolean;
}

/** What the served model reads from the catalogue when it is activated (candidate sources). */
export interface CatalogueSnapshot {
  /** Positive purchases per item id (missing: none). */
  readonly purchases: ReadonlyMap<string, number>;
  /** Per attribute kind: each item's strongest network links, strongest first. */
  readonly links: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
}

export interface RecommenderEngine {
  readonly kinds: readonly string[];
  /** Items the engine can score: trained items plus cold-start items encoded since. */
  readonly itemCount: number;
  hasItem(itemId: string): boolean;
  /** Whether the user had an embedding at training time (others get the model's new-user rule). */
  isLearnedUser(userId: string): boolean;
  /** The k best items for which `keep` holds (owned items never appear). */
  recommend(history: UserHistory, k: number, keep: (itemId: string) => boolean): ScoredItem[];
  /** k*, attention and ranked anchor candidates for each item (unknown items are skipped). */
  explain(history: UserHistory, itemIds: readonly string[], maxAnchors: number): EngineExplanation[];
  /** eq. 8 under the user's attention when a history is given, kind-averaged codes otherwise. */
  similarItems(itemId: string, history: UserHistory | null, k: number, keep: (itemId: string) => boolean): ScoredItem[];
  /** eq. 14 aggregate over each user's history: the k users most likely to want the item. */
  audience(itemId: string, histories: Iterable<UserHistory>, k: number): ScoredUser[];
  /**
   * eq. 14 cold start: encodes a new item from its neighbours in each G_k with the trained
   * encoders and makes it scorable (and a candidate near the items it resembles). Returns false
   * when the item is already known.
   */
  encodeNewItem(itemId: string, neighboursPerKind: ReadonlyMap<string, readonly string[]>): boolean;
  /** Builds the candidate sources (code-space index, network snapshot, popularity) before serving. */
  /**
   * Builds the candidate sources; `snapshot` may still be in flight (a graph read): the code-space
   * index is built meanwhile and the snapshot awaited only when the index is done.
   */
  activate(snapshot: CatalogueSnapshot | null | Promise<CatalogueSnapshot | null>): Promise<void>;
  /** Frees tensors (the encoders); the engine must not be used afterwards. */
  dispose(): void;
}
