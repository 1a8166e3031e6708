/**
 * The in-memory training input of the eRAN model, independent of where it came from
 * (Neo4j extraction by Cypher, or a synthetic generator in tests).
 */

/** One attribute network G_k as a symmetric CSR adjacency over item indexes 0..n-1. */
export interface CsrAdjacency {
  /** Attribute kind, e.g. `actor`. */
  readonly kind: string;
  /** Number of items (rows = columns). */
  readonly n: number;
  /** Row pointers, length n + 1. */
  readonly indptr: Int32Array;
  /** Column indexes, length indptr[n]; sorted within each row. */
  readonly indices: Int32Array;
  /** Edge weights (co-purchase counts); absent means all 1. The paper's input is binary. */
  readonly weights?: Float32Array;
}

export interface GraphData {
  /** Item index -> external item id. */
  readonly itemIds: readonly string[];
  /** User index -> external user id. */
  readonly userIds: readonly string[];
  /** One adjacency per attribute kind, all over the same item indexes. */
  readonly networks: readonly CsrAdjacency[];
  /** Training positives R_u per user index: sorted item indexes. */
  readonly userItems: readonly Int32Array[];
  /**
   * When each of R_u's items was bought (unix seconds, aligned with userItems; NaN unknown).
   * Optional: used for recency weights (`recencyHalfLife`) and to hold out the latest purchase.
   */
  readonly userItemTimes?: readonly Float64Array[];
}
