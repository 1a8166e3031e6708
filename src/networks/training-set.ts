/**
 * From dataset columns to what is trained on and written: rules 1-4 and 8 of build-networks.ts
 * (last rating of a pair wins, positives above the threshold, users below `minHistory` dropped,
 * held-out pairs removed from training), as CSR arrays over the model's item and user order.
 * Linear in the interactions: a stable counting sort by user, then one pass per user with a
 * per-item scratch stamp.
 */
import type { DatasetColumns } from '../datasets/dataset-columns';
import { GrowableArray } from '../common/growable-array';
import { sortedPositions } from './item-order';

export interface UserItemPair {
  readonly user: string;
  readonly item: string;
}

export interface TrainingOptions {
  /** A rating strictly above this is a positive (default 3). */
  readonly positiveThreshold?: number;
  /** Users with fewer positives (before held-out removal) are dropped (default 5). */
  readonly minHistory?: number;
  /** (user, item) pairs excluded from training positives, e.g. the leave-one-out test items. */
  readonly heldOut?: Iterable<UserItemPair>;
}

/** Positives of each kept user: rows ptr[u] .. ptr[u+1], items ascending (model item indexes). */
export interface PositiveRows {
  readonly ptr: Int32Array;
  readonly item: Int32Array;
  readonly rating: Float64Array;
  /** Unix seconds; NaN unknown. */
  readonly time: Float64Array;
}

export interface TrainingSet {
  /** Model item order (compareIds): index -> id. */
  readonly itemIds: readonly string[];
  /** Dataset column item index -> model item index. */
  readonly itemOrder: Int32Array;
  /** Kept users in model order (compareIds). */
  readonly userIds: readonly string[];
  readonly training: PositiveRows;
  readonly heldOut: PositiveRows;
  readonly stats: {
    readonly usersTotal: number;
    readonly usersKept: number;
    /** Positives of kept users before held-out removal. */
    readonly positives: number;
    readonly heldOutRemoved: number;
  };
}

export function buildTrainingSet(columns: DatasetColumns, opts: TrainingOptions = {}): TrainingSet {
  const positiveThreshold = opts.positiveThreshold ?? 3;
  const minHistory = opts.minHistory ?? 5;
  if (!Number.isFinite(positiveThreshold)) throw new RangeError(`positiveThreshold must be a number, got ${positiveThreshold}`);
  if (!Number.isInteger(minHistory) || minHistory < 0) throw new RangeError(`minHistory must be an integer >= 0, got ${minHistory}`);

  const { itemIds, itemOrder } = modelItemOrder(columns.items.ids);
  const n = itemIds.length;
  const heldOut = heldOutPairs(columns, itemOrder, opts.heldOut);
  const rows = rowsByUser(columns);
  const users = sortedPositions(columns.userIds);

  const lastRow = new Int32Array(n).fill(-1);
  const stamp = new Int32Array(n);
  const training = new RowsBuilder();
  const held = new RowsBuilder();
  const userIds: string[] = [];
  let positives = 0;
  const mine: number[] = [];
  const { rating, time } = columns.interactions;
  for (const u of users) {
    // Last row of each of the user's items, in input order (a repeated pair: the last row wins).
    mine.length = 0;
    for (let p = rows.ptr[u]; p < rows.ptr[u + 1]; p++) {
      const row = rows.order[p];
      const i = itemOrder[columns.interactions.item[row]];
      if (stamp[i] !== u + 1) {
        stamp[i] = u + 1;
        mine.push(i);
      }
      lastRow[i] = row;
    }
    let count = 0;
    for (const i of mine) if (rating[lastRow[i]] > positiveThreshold) count++;
    if (count < minHistory) continue;
    positives += count;
    userIds.push(columns.userIds[u]);
    mine.sort((a, b) => a - b);
    const excluded = heldOut.get(u);
    for (const i of mine) {
      const row = lastRow[i];
      if (!(rating[row] > positiveThreshold)) continue;
      (excluded?.has(i) ? held : training).push(i, rating[row], time[row]);
    }
    training.endUser();
    held.endUser();
  }
  const heldRows = held.finish();
  return {
    itemIds,
    itemOrder,
    userIds,
    training: training.finish(),
    heldOut: heldRows,
    stats: { usersTotal: columns.userIds.length, usersKept: userIds.length, positives, heldOutRemoved: heldRows.item.length },
  };
}

/** Items sorted by compareIds; returns the order and the column -> model index map. */
export function modelItemOrder(columnIds: readonly string[]): { itemIds: string[]; itemOrder: Int32Array } {
  const sorted = sortedPositions(columnIds);
  const itemOrder = new Int32Array(columnIds.length);
  sorted.forEach((column, model) => (itemOrder[column] = model));
  return { itemIds: sorted.map((c) => columnIds[c]), itemOrder };
}

/** Interaction rows grouped by user, input order kept within a user (stable counting sort). */
function rowsByUser(columns: DatasetColumns): { ptr: Int32Array; order: Int32Array } {
  const users = columns.interactions.user;
  const ptr = new Int32Array(columns.userIds.length + 1);
  for (let r = 0; r < users.length; r++) ptr[users[r] + 1]++;
  for (let u = 0; u < columns.userIds.length; u++) ptr[u + 1] += ptr[u];
  const fill = ptr.slice(0, columns.userIds.length);
  const order = new Int32Array(users.length);
  for (let r = 0; r < users.length; r++) order[fill[users[r]]++] = r;
  return { ptr, order };
}

/** Held-out pairs as dataset user index -> model item indexes; pairs naming unknown users or items are ignored. */
function heldOutPairs(columns: DatasetColumns, itemOrder: Int32Array, pairs: Iterable<UserItemPair> | undefined): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  if (pairs === undefined) return out;
  const userIndex = new Map(columns.userIds.map((id, u) => [id, u]));
  const itemIndex = new Map(columns.items.ids.map((id, i) => [id, i]));
  for (const p of pairs) {
    const u = userIndex.get(p.user);
    const i = itemIndex.get(p.item);
    if (u === undefined || i === undefined) continue;
    const set = out.get(u);
    if (set) set.add(itemOrder[i]);
    else out.set(u, new Set([itemOrder[i]]));
  }
  return out;
}

class RowsBuilder {
  private readonly ptr = new GrowableArray(Int32Array);
  private readonly items = new GrowableArray(Int32Array, 1 << 16);
  private readonly ratings = new GrowableArray(Float64Array, 1 << 16);
  private readonly times = new GrowableArray(Float64Array, 1 << 16);

  constructor() {
    this.ptr.push(0);
  }

  push(item: number, rating: number, time: number): void {
    this.items.push(item);
    this.ratings.push(rating);
    this.times.push(time);
  }

  endUser(): void {
    this.ptr.push(this.items.length);
  }

  finish(): PositiveRows {
    return { ptr: this.ptr.toArray(), item: this.items.toArray(), rating: this.ratings.toArray(), time: this.times.toArray() };
  }
}
