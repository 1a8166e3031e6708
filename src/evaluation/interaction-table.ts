/**
 * Interactions as parallel typed arrays over dense user and item indexes. Ids are sorted
 * (numerically when every id is an integer), never taken in first-seen order: a split written
 * to CSV and read back must rebuild exactly the same indexes, or seeded models and
 * index-dependent code would see a different problem.
 */
import type { InteractionRecord } from '../datasets/dataset.types';

export interface InteractionTable {
  /** User index -> external id. */
  readonly userIds: readonly string[];
  /** Item index -> external id (the catalogue). */
  readonly itemIds: readonly string[];
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float64Array;
  /** Unix seconds; NaN where the source has none. */
  readonly timestamps: Float64Array;
}

export interface TableFromRecordsOptions {
  /** Fix the catalogue (and its order) instead of deriving it from the records. */
  readonly itemIds?: readonly string[];
  readonly userIds?: readonly string[];
}

/** Ascending, numeric when both ids are integers, so `2` sorts before `10`. */
export function compareIds(a: string, b: string): number {
  const integer = /^-?\d+$/;
  if (integer.test(a) && integer.test(b)) {
    const d = Number(a) - Number(b);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedIds(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort(compareIds);
}

export function indexOfIds(ids: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  ids.forEach((id, i) => map.set(id, i));
  return map;
}

/**
 * Duplicate (user, item) pairs keep the latest record (by timestamp, then by position): a
 * re-rating replaces the earlier opinion, and a pair counted twice would inflate co-occurrence.
 */
export function tableFromRecords(records: readonly InteractionRecord[], opts: TableFromRecordsOptions = {}): InteractionTable {
  const userIds = opts.userIds ?? sortedIds(records.map((r) => r.user));
  const itemIds = opts.itemIds ?? sortedIds(records.map((r) => r.item));
  const userIndex = indexOfIds(userIds);
  const itemIndex = indexOfIds(itemIds);
  const latest = new Map<string, number>();
  records.forEach((r, at) => {
    if (!userIndex.has(r.user) || !itemIndex.has(r.item)) return;
    const key = `${r.user}\u0000${r.item}`;
    const prev = latest.get(key);
    if (prev === undefined || (records[prev].timestamp ?? -Infinity) <= (r.timestamp ?? -Infinity)) latest.set(key, at);
  });
  const kept = [...latest.values()].sort((a, b) => a - b);
  const n = kept.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float64Array(n);
  const timestamps = new Float64Array(n);
  kept.forEach((at, row) => {
    const r = records[at];
    users[row] = userIndex.get(r.user)!;
    items[row] = itemIndex.get(r.item)!;
    ratings[row] = r.rating;
    timestamps[row] = r.timestamp ?? NaN;
  });
  return { userIds, itemIds, users, items, ratings, timestamps };
}

/** The rows where `keep(row)` holds, over the same indexes. */
export function selectRows(table: InteractionTable, keep: (row: number) => boolean): InteractionTable {
  const rows: number[] = [];
  for (let r = 0; r < table.users.length; r++) if (keep(r)) rows.push(r);
  return pickRows(table, rows);
}

export function pickRows(table: InteractionTable, rows: readonly number[]): InteractionTable {
  const n = rows.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float64Array(n);
  const timestamps = new Float64Array(n);
  rows.forEach((r, k) => {
    users[k] = table.users[r];
    items[k] = table.items[r];
    ratings[k] = table.ratings[r];
    timestamps[k] = table.timestamps[r];
  });
  return { userIds: table.userIds, itemIds: table.itemIds, users, items, ratings, timestamps };
}

/**
 * The same rows over new id lists (each id of the table must exist in the new lists), e.g. to
 * drop users that no longer have rows.
 */
export function reindexTable(table: InteractionTable, userIds: readonly string[], itemIds: readonly string[]): InteractionTable {
  const userIndex = indexOfIds(userIds);
  const itemIndex = indexOfIds(itemIds);
  const users = new Int32Array(table.users.length);
  const items = new Int32Array(table.items.length);
  for (let r = 0; r < users.length; r++) {
    const u = userIndex.get(table.userIds[table.users[r]]);
    const i = itemIndex.get(table.itemIds[table.items[r]]);
    if (u === undefined || i === undefined) throw new Error(`reindexTable: row ${r} refers to an id outside the new index`);
    users[r] = u;
    items[r] = i;
  }
  return { userIds, itemIds, users, items, ratings: table.ratings, timestamps: table.timestamps };
}

/** Rows as records again (for export and for handing a split to code that wants records). */
export function tableRecords(table: InteractionTable): InteractionRecord[] {
  const out: InteractionRecord[] = [];
  for (let r = 0; r < table.users.length; r++) {
    const t = table.timestamps[r];
    out.push({
      user: table.userIds[table.users[r]],
      item: table.itemIds[table.items[r]],
      rating: table.ratings[r],
      ...(Number.isNaN(t) ? {} : { timestamp: t }),
    });
  }
  return out;
}
