/**
 * What a recommender may see when it is fitted: the training interactions of one split over
 * fixed user and item indexes. The held-out interactions are not in it, by construction.
 */
import type { InteractionTable } from './interaction-table';
import { indexOfIds } from './interaction-table';
import type { ItemAttributes } from './item-attributes';

/** Compressed sparse rows: row r's entries are indices[indptr[r] .. indptr[r+1]). */
export interface Csr {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
}

export interface RatedCsr extends Csr {
  /** The rating of each entry, aligned with `indices`. */
  readonly ratings: Float32Array;
}

export interface TrainView {
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly userIndex: ReadonlyMap<string, number>;
  readonly itemIndex: ReadonlyMap<string, number>;
  readonly numUsers: number;
  readonly numItems: number;
  /** rating > positiveThreshold is a positive. */
  readonly positiveThreshold: number;
  /** R_u: each user's training positives, item indexes sorted ascending. */
  readonly positives: Csr;
  /** When each positive was made (unix seconds, aligned with positives.indices; NaN unknown). */
  readonly positiveTimes?: Float64Array;
  /**
   * Every training interaction of each user, whatever the rating, sorted by item: a network
   * builder can apply its own threshold, and rankings exclude what the user already consumed.
   */
  readonly interactions: RatedCsr;
  /** Item attributes for attribute-aware models; absent when the dataset has none. */
  readonly attributes?: ItemAttributes;
}

export function row(csr: Csr, r: number): Int32Array {
  return csr.indices.subarray(csr.indptr[r], csr.indptr[r + 1]);
}

export function rowLength(csr: Csr, r: number): number {
  return csr.indptr[r + 1] - csr.indptr[r];
}

export interface BuildTrainViewOptions {
  readonly positiveThreshold: number;
  readonly attributes?: ItemAttributes;
}

export function buildTrainView(train: InteractionTable, opts: BuildTrainViewOptions): TrainView {
  const numUsers = train.userIds.length;
  const numItems = train.itemIds.length;
  const order = Array.from(train.users.keys()).sort((a, b) => train.users[a] - train.users[b] || train.items[a] - train.items[b]);
  const allPtr = new Int32Array(numUsers + 1);
  const posPtr = new Int32Array(numUsers + 1);
  for (let r = 0; r < train.users.length; r++) {
    allPtr[train.users[r] + 1]++;
    if (train.ratings[r] > opts.positiveThreshold) posPtr[train.users[r] + 1]++;
  }
  for (let u = 0; u < numUsers; u++) {
    allPtr[u + 1] += allPtr[u];
    posPtr[u + 1] += posPtr[u];
  }
  const allIdx = new Int32Array(allPtr[numUsers]);
  const ratings = new Float32Array(allPtr[numUsers]);
  const posIdx = new Int32Array(posPtr[numUsers]);
  const posTimes = new Float64Array(posPtr[numUsers]);
  let a = 0;
  let p = 0;
  for (const r of order) {
    allIdx[a] = train.items[r];
    ratings[a++] = train.ratings[r];
    if (train.ratings[r] > opts.positiveThreshold) {
      posTimes[p] = train.timestamps[r];
      posIdx[p++] = train.items[r];
    }
  }
  return {
    userIds: train.userIds,
    itemIds: train.itemIds,
    userIndex: indexOfIds(train.userIds),
    itemIndex: indexOfIds(train.itemIds),
    numUsers,
    numItems,
    positiveThreshold: opts.positiveThreshold,
    positives: { indptr: posPtr, indices: posIdx },
    positiveTimes: posTimes,
    interactions: { indptr: allPtr, indices: allIdx, ratings },
    ...(opts.attributes ? { attributes: opts.attributes } : {}),
  };
}

export function withAttributes(view: TrainView, attributes: ItemAttributes | undefined): TrainView {
  return attributes ? { ...view, attributes } : view;
}

/** Transposed positives: per item, the users who bought it (sorted). */
export function itemUsers(view: TrainView): Csr {
  const { positives, numUsers, numItems } = view;
  const indptr = new Int32Array(numItems + 1);
  for (const i of positives.indices) indptr[i + 1]++;
  for (let i = 0; i < numItems; i++) indptr[i + 1] += indptr[i];
  const fill = indptr.slice(0, numItems);
  const indices = new Int32Array(positives.indices.length);
  for (let u = 0; u < numUsers; u++) {
    for (let k = positives.indptr[u]; k < positives.indptr[u + 1]; k++) indices[fill[positives.indices[k]]++] = u;
  }
  return { indptr, indices };
}
