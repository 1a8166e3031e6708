/**
 * Reference in-memory construction of the attribute networks G_k (DESIGN.md §1). The Neo4j
 * import (cypher/) must produce exactly these edges; the model and evaluation use this directly
 * when no database is involved.
 *
 * Semantics, in order:
 *  1. Items: every distinct id in `items` (first record wins), whether or not anyone bought it.
 *     Interactions and attribute rows naming an item absent from `items` are ignored (counted
 *     in stats). Attribute kinds are restricted to `kinds` (default: every kind seen, sorted);
 *     a repeated (item, kind, value) row counts once.
 *  2. A (user, item) pair's rating is the rating of its LAST interaction record in input order
 *     (like MERGE + SET). The pair is positive iff rating > `positiveThreshold` (default 3).
 *  3. Users: every distinct user in `interactions`. A user with fewer than `minHistory`
 *     (default 5) positives is dropped entirely; positives are counted BEFORE held-out removal.
 *  4. Training positives of a kept user = positives minus the `heldOut` (user, item) pairs.
 *     Everything below uses training positives of kept users only (no leakage of held-out items).
 *  5. c(i, j) = number of kept users having both i and j among their training positives.
 *  6. For each kind k: the undirected edge i-j is in G_k iff c(i, j) >= `minSupport`
 *     (default 1) AND i and j share at least one value of kind k. weight = c(i, j);
 *     via = the shared value ids sorted ascending by UTF-16 code units (JS `<`, Cypher's
 *     string order), first `VIA_CAP` (5) of them.
 *  7. Optional `topM`: rank each item's neighbours in G_k by weight desc, then neighbour item id
 *     asc (code-unit string compare); keep an edge iff it is within the top M of EITHER endpoint.
 *  8. Index order: items and users sorted by id with a numeric-aware collation ('2' < '10';
 *     `localeCompare(b, undefined, { numeric: true })`), ties (e.g. '01' vs '1') broken by code
 *     units. In `edges`, a is the endpoint that comes first in that item order. CSR rows are
 *     sorted by column index, weights are c(i, j).
 *
 * Cost: O(sum over kept users of |R_u|^2 / 2) for co-purchase counting, with one dense Int32Array
 * counter row reused per item, plus a sorted merge of the two items' value lists per candidate pair.
 */
import type { AttributeRecord, InteractionRecord, ItemRecord } from '../datasets/dataset.types';
import type { CsrAdjacency, GraphData } from '../model/graph-data';
import { upperBound } from '../common/sorted-search';

export { collectDataset } from '../datasets/collect-dataset';
export type { CollectedDataset } from '../datasets/collect-dataset';

/** At most this many shared values are listed in an edge's `via`. */
export const VIA_CAP = 5;

export interface UserItemPair {
  readonly user: string;
  readonly item: string;
}

export interface NetworkInput {
  readonly items: readonly ItemRecord[];
  readonly attributes: readonly AttributeRecord[];
  readonly interactions: readonly InteractionRecord[];
}

export interface NetworkOptions {
  /** A rating strictly above this is a positive (default 3). */
  readonly positiveThreshold?: number;
  /** Users with fewer positives (before held-out removal) are dropped (default 5). */
  readonly minHistory?: number;
  /** Minimum co-purchase count c(i, j) for an edge (default 1). */
  readonly minSupport?: number;
  /** Per-item cap on neighbours per kind, union rule (default: no cap). */
  readonly topM?: number;
  /** (user, item) pairs excluded from training positives, e.g. the leave-one-out test items. */
  readonly heldOut?: Iterable<UserItemPair>;
  /** Attribute kinds to build networks for (default: every kind in `attributes`, sorted). */
  readonly kinds?: readonly string[];
  /** Materialize `edges` as objects (default true). Turn off on big data when only `graph` is needed. */
  readonly edgeList?: boolean;
}

export interface NetworkEdge {
  /** Item id of the endpoint that comes first in item index order. */
  readonly a: string;
  readonly b: string;
  /** Co-purchase count c(a, b). */
  readonly weight: number;
  /** Shared value ids of this kind, sorted ascending, at most VIA_CAP. */
  readonly via: readonly string[];
}

export interface NetworkStats {
  readonly items: number;
  readonly usersTotal: number;
  readonly usersKept: number;
  readonly usersDropped: number;
  /** Positives of kept users before held-out removal. */
  readonly positives: number;
  /** Training positives (positives minus held-out pairs) of kept users. */
  readonly trainingPositives: number;
  readonly heldOutRemoved: number;
  readonly unknownItemInteractions: number;
  readonly unknownItemAttributes: number;
  /** Distinct item pairs with c(i, j) >= minSupport (the co-purchase network G). */
  readonly coPurchaseEdges: number;
  /** Edges per kind before the top-M cap. */
  readonly edgesBeforeTopM: Readonly<Record<string, number>>;
  /** Edges per kind in the result. */
  readonly edgesPerKind: Readonly<Record<string, number>>;
}

export interface BuiltNetworks {
  readonly graph: GraphData;
  /** kind -> edges (empty map when `edgeList` is false). */
  readonly edges: ReadonlyMap<string, NetworkEdge[]>;
  readonly stats: NetworkStats;
}

const collator = new Intl.Collator(undefined, { numeric: true });

/** The item/user order used everywhere in the model: numeric-aware, ties by code units. */
export function compareIds(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

export function buildAttributeNetworks(input: NetworkInput, opts: NetworkOptions = {}): BuiltNetworks {
  const o = resolveOptions(opts, input.attributes);
  const itemIds = [...new Set(input.items.map((r) => r.item))].sort(compareIds);
  const itemIndex = new Map(itemIds.map((id, i) => [id, i]));
  const users = collectRatings(input.interactions, itemIndex);
  const training = trainingPositives(users, itemIndex, o);
  const values = indexValues(input.attributes, itemIndex, o.kinds);
  const raw = countAndLink(itemIds.length, training.userItems, values, o.minSupport);
  const kept = raw.map((edges) => (o.topM === undefined ? edges : capTopM(edges, itemIds, o.topM)));
  const networks = kept.map((edges, k): CsrAdjacency => toCsr(o.kinds[k], itemIds.length, edges));

  const edges = new Map<string, NetworkEdge[]>();
  if (o.edgeList) o.kinds.forEach((kind, k) => edges.set(kind, toEdgeRecords(kept[k], itemIds, values[k].valueIds)));
  const perKind = (list: EdgeBuffer[]): Record<string, number> =>
    Object.fromEntries(o.kinds.map((kind, k) => [kind, list[k].length]));
  return {
    graph: { itemIds, userIds: training.userIds, networks, userItems: training.userItems },
    edges,
    stats: {
      items: itemIds.length,
      usersTotal: users.ids.length,
      usersKept: training.userIds.length,
      usersDropped: users.ids.length - training.userIds.length,
      positives: training.positives,
      trainingPositives: training.positives - training.heldOutRemoved,
      heldOutRemoved: training.heldOutRemoved,
      unknownItemInteractions: users.unknownItems,
      unknownItemAttributes: values.reduce((n, v) => n + v.unknownItems, 0),
      coPurchaseEdges: raw.coPurchaseEdges,
      edgesBeforeTopM: perKind(raw),
      edgesPerKind: perKind(kept),
    },
  };
}

interface Resolved {
  positiveThreshold: number;
  minHistory: number;
  minSupport: number;
  topM?: number;
  heldOut?: Iterable<UserItemPair>;
  kinds: readonly string[];
  edgeList: boolean;
}

function resolveOptions(opts: NetworkOptions, attributes: readonly AttributeRecord[]): Resolved {
  const o: Resolved = {
    positiveThreshold: opts.positiveThreshold ?? 3,
    minHistory: opts.minHistory ?? 5,
    minSupport: opts.minSupport ?? 1,
    topM: opts.topM,
    heldOut: opts.heldOut,
    kinds: opts.kinds ?? [...new Set(attributes.map((a) => a.kind))].sort(),
    edgeList: opts.edgeList ?? true,
  };
  if (!Number.isFinite(o.positiveThreshold)) throw new RangeError(`positiveThreshold must be a number, got ${o.positiveThreshold}`);
  if (!Number.isInteger(o.minHistory) || o.minHistory < 0) throw new RangeError(`minHistory must be an integer >= 0, got ${o.minHistory}`);
  if (!Number.isInteger(o.minSupport) || o.minSupport < 1) throw new RangeError(`minSupport must be an integer >= 1, got ${o.minSupport}`);
  if (o.topM !== undefined && (!Number.isInteger(o.topM) || o.topM < 1)) throw new RangeError(`topM must be an integer >= 1, got ${o.topM}`);
  if (new Set(o.kinds).size !== o.kinds.length) throw new RangeError(`kinds must be distinct, got ${o.kinds.join(', ')}`);
  return o;
}

interface UserRatings {
  /** Distinct user ids in first-seen order. */
  ids: string[];
  /** Per user (same order): item index -> last rating. */
  ratings: Map<number, number>[];
  unknownItems: number;
}

function collectRatings(interactions: readonly InteractionRecord[], itemIndex: ReadonlyMap<string, number>): UserRatings {
  const userIndex = new Map<string, number>();
  const ids: string[] = [];
  const ratings: Map<number, number>[] = [];
  let unknownItems = 0;
  for (const r of interactions) {
    let u = userIndex.get(r.user);
    if (u === undefined) {
      u = ids.length;
      userIndex.set(r.user, u);
      ids.push(r.user);
      ratings.push(new Map());
    }
    const i = itemIndex.get(r.item);
    if (i === undefined) {
      unknownItems++;
      continue;
    }
    ratings[u].set(i, r.rating); // a repeated pair: the last record wins
  }
  return { ids, ratings, unknownItems };
}

interface Training {
  userIds: string[];
  userItems: Int32Array[];
  positives: number;
  heldOutRemoved: number;
}

function trainingPositives(users: UserRatings, itemIndex: ReadonlyMap<string, number>, o: Resolved): Training {
  const heldOut = new Map<string, Set<number>>();
  for (const p of o.heldOut ?? []) {
    const i = itemIndex.get(p.item);
    if (i === undefined) continue;
    const set = heldOut.get(p.user);
    if (set) set.add(i);
    else heldOut.set(p.user, new Set([i]));
  }
  const order = users.ids.map((_, u) => u).sort((a, b) => compareIds(users.ids[a], users.ids[b]));
  const userIds: string[] = [];
  const userItems: Int32Array[] = [];
  let positives = 0;
  let heldOutRemoved = 0;
  for (const u of order) {
    const pos: number[] = [];
    for (const [item, rating] of users.ratings[u]) if (rating > o.positiveThreshold) pos.push(item);
    if (pos.length < o.minHistory) continue;
    positives += pos.length;
    const excluded = heldOut.get(users.ids[u]);
    const kept = excluded ? pos.filter((i) => !excluded.has(i)) : pos;
    heldOutRemoved += pos.length - kept.length;
    userIds.push(users.ids[u]);
    userItems.push(Int32Array.from(kept).sort());
  }
  return { userIds, userItems, positives, heldOutRemoved };
}

/** One kind's values: value ids sorted by code units, and per item the sorted value indexes (CSR). */
interface KindValues {
  valueIds: string[];
  ptr: Int32Array;
  values: Int32Array;
  unknownItems: number;
}

function indexValues(
  attributes: readonly AttributeRecord[],
  itemIndex: ReadonlyMap<string, number>,
  kinds: readonly string[],
): KindValues[] {
  const kindIndex = new Map(kinds.map((k, i) => [k, i]));
  const perKind = kinds.map(() => ({ pairs: new Map<number, Set<string>>(), ids: new Set<string>(), unknown: 0 }));
  for (const a of attributes) {
    const k = kindIndex.get(a.kind);
    if (k === undefined) continue;
    const i = itemIndex.get(a.item);
    if (i === undefined) {
      perKind[k].unknown++;
      continue;
    }
    const set = perKind[k].pairs.get(i);
    if (set) set.add(a.value);
    else perKind[k].pairs.set(i, new Set([a.value]));
    perKind[k].ids.add(a.value);
  }
  const n = itemIndex.size;
  return perKind.map(({ pairs, ids, unknown }) => {
    // Code-unit order of value ids makes a merge of index lists yield `via` already sorted.
    const valueIds = [...ids].sort(byCodeUnits);
    const valueIndex = new Map(valueIds.map((v, i) => [v, i]));
    const ptr = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) ptr[i + 1] = ptr[i] + (pairs.get(i)?.size ?? 0);
    const values = new Int32Array(ptr[n]);
    for (const [i, set] of pairs) {
      const row = Int32Array.from(set, (v) => valueIndex.get(v)!).sort();
      values.set(row, ptr[i]);
    }
    return { valueIds, ptr, values, unknownItems: unknown };
  });
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Growable columnar edge list: endpoints a < b (item indexes), weight, and a CSR of via value indexes. */
class EdgeBuffer {
  length = 0;
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  w = new Int32Array(1024);
  viaPtr = new Int32Array(1025);
  via = new Int32Array(1024);

  push(a: number, b: number, w: number, shared: Int32Array, sharedCount: number): void {
    if (this.length === this.a.length) {
      this.a = grow(this.a, this.length * 2);
      this.b = grow(this.b, this.length * 2);
      this.w = grow(this.w, this.length * 2);
      this.viaPtr = grow(this.viaPtr, this.length * 2 + 1);
    }
    const start = this.viaPtr[this.length];
    if (start + sharedCount > this.via.length) this.via = grow(this.via, Math.max(this.via.length * 2, start + sharedCount));
    this.via.set(shared.subarray(0, sharedCount), start);
    this.a[this.length] = a;
    this.b[this.length] = b;
    this.w[this.length] = w;
    this.length++;
    this.viaPtr[this.length] = start + sharedCount;
  }

  /** A buffer holding the edges whose flag is set, in the same order. */
  filter(keep: Uint8Array): EdgeBuffer {
    const out = new EdgeBuffer();
    for (let e = 0; e < this.length; e++) {
      if (keep[e]) out.push(this.a[e], this.b[e], this.w[e], this.via.subarray(this.viaPtr[e], this.viaPtr[e + 1]), this.viaPtr[e + 1] - this.viaPtr[e]);
    }
    return out;
  }
}

function grow(array: Int32Array, size: number): Int32Array {
  const out = new Int32Array(size);
  out.set(array);
  return out;
}

type RawNetworks = EdgeBuffer[] & { coPurchaseEdges: number };

/**
 * Counts c(i, j) for j > i item by item: for each buyer u of i, every j after i in R_u bumps a
 * dense counter. Candidates are visited in ascending j, so edges come out sorted by (a, b).
 */
function countAndLink(n: number, userItems: readonly Int32Array[], values: readonly KindValues[], minSupport: number): RawNetworks {
  const buyers = transpose(n, userItems);
  const counter = new Int32Array(n);
  const shared = new Int32Array(VIA_CAP);
  const out = values.map(() => new EdgeBuffer()) as RawNetworks;
  let coPurchaseEdges = 0;
  const touched: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let p = buyers.ptr[i]; p < buyers.ptr[i + 1]; p++) {
      const items = userItems[buyers.users[p]];
      for (let q = upperBound(items, i); q < items.length; q++) {
        const j = items[q];
        if (counter[j]++ === 0) touched.push(j);
      }
    }
    touched.sort((x, y) => x - y);
    for (const j of touched) {
      const c = counter[j];
      counter[j] = 0;
      if (c < minSupport) continue;
      coPurchaseEdges++;
      for (let k = 0; k < values.length; k++) {
        const count = intersect(values[k], i, j, shared);
        if (count > 0) out[k].push(i, j, c, shared, count);
      }
    }
    touched.length = 0;
  }
  out.coPurchaseEdges = coPurchaseEdges;
  return out;
}

/** Item -> buyers (user indexes), as CSR. */
function transpose(n: number, userItems: readonly Int32Array[]): { ptr: Int32Array; users: Int32Array } {
  const ptr = new Int32Array(n + 1);
  for (const items of userItems) for (const i of items) ptr[i + 1]++;
  for (let i = 0; i < n; i++) ptr[i + 1] += ptr[i];
  const fill = ptr.slice(0, n);
  const users = new Int32Array(ptr[n]);
  userItems.forEach((items, u) => {
    for (const i of items) users[fill[i]++] = u;
  });
  return { ptr, users };
}

/** Writes the first VIA_CAP shared value indexes of items i and j into `out`; returns how many. */
function intersect(kv: KindValues, i: number, j: number, out: Int32Array): number {
  let p = kv.ptr[i];
  let q = kv.ptr[j];
  const pEnd = kv.ptr[i + 1];
  const qEnd = kv.ptr[j + 1];
  let count = 0;
  while (p < pEnd && q < qEnd && count < out.length) {
    const x = kv.values[p];
    const y = kv.values[q];
    if (x === y) {
      out[count++] = x;
      p++;
      q++;
    } else if (x < y) p++;
    else q++;
  }
  return count;
}

/** Keeps an edge iff it ranks in the top M (weight desc, neighbour id asc) of either endpoint. */
function capTopM(edges: EdgeBuffer, itemIds: readonly string[], m: number): EdgeBuffer {
  const n = itemIds.length;
  const ptr = new Int32Array(n + 1);
  for (let e = 0; e < edges.length; e++) {
    ptr[edges.a[e] + 1]++;
    ptr[edges.b[e] + 1]++;
  }
  for (let i = 0; i < n; i++) ptr[i + 1] += ptr[i];
  const fill = ptr.slice(0, n);
  const incident = new Int32Array(ptr[n]);
  for (let e = 0; e < edges.length; e++) {
    incident[fill[edges.a[e]]++] = e;
    incident[fill[edges.b[e]]++] = e;
  }
  const keep = new Uint8Array(edges.length);
  for (let i = 0; i < n; i++) {
    const degree = ptr[i + 1] - ptr[i];
    if (degree === 0) continue;
    const row = Array.from(incident.subarray(ptr[i], ptr[i + 1]));
    if (degree > m) {
      const other = (e: number): string => itemIds[edges.a[e] === i ? edges.b[e] : edges.a[e]];
      row.sort((x, y) => edges.w[y] - edges.w[x] || byCodeUnits(other(x), other(y)));
    }
    for (let r = 0; r < Math.min(m, degree); r++) keep[row[r]] = 1;
  }
  return edges.filter(keep);
}

/** Symmetric CSR with sorted rows; relies on edges being sorted by (a, b) with a < b. */
function toCsr(kind: string, n: number, edges: EdgeBuffer): CsrAdjacency {
  const indptr = new Int32Array(n + 1);
  for (let e = 0; e < edges.length; e++) {
    indptr[edges.a[e] + 1]++;
    indptr[edges.b[e] + 1]++;
  }
  for (let i = 0; i < n; i++) indptr[i + 1] += indptr[i];
  const fill = indptr.slice(0, n);
  const indices = new Int32Array(indptr[n]);
  const weights = new Float32Array(indptr[n]);
  // Row r receives its smaller neighbours (as b, from earlier a) before its larger ones (as a),
  // each group ascending, so rows come out sorted without a sort.
  for (let e = 0; e < edges.length; e++) {
    const a = edges.a[e];
    const b = edges.b[e];
    indices[fill[a]] = b;
    weights[fill[a]++] = edges.w[e];
    indices[fill[b]] = a;
    weights[fill[b]++] = edges.w[e];
  }
  return { kind, n, indptr, indices, weights };
}

function toEdgeRecords(edges: EdgeBuffer, itemIds: readonly string[], valueIds: readonly string[]): NetworkEdge[] {
  const out: NetworkEdge[] = new Array(edges.length);
  for (let e = 0; e < edges.length; e++) {
    const via: string[] = [];
    for (let p = edges.viaPtr[e]; p < edges.viaPtr[e + 1]; p++) via.push(valueIds[edges.via[p]]);
    out[e] = { a: itemIds[edges.a[e]], b: itemIds[edges.b[e]], weight: edges.w[e], via };
  }
  return out;
}
