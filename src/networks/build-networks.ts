/**
 * Construction of the attribute networks G_k, in memory. The Neo4j import writes exactly these
 * edges (and the Cypher construction in cypher/networks/ is tested to agree with them); the model
 * and evaluation use them directly when no database is involved.
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
 *     AND i and j share at least one value of kind k. weight = c(i, j);
 *     via = the shared value ids sorted ascending by UTF-16 code units (JS `<`, Cypher's
 *     string order), first `VIA_CAP` (5) of them.
 *  7. `topM`: rank each item's neighbours in G_k by weight desc, then neighbour item id asc
 *     (code-unit string compare); keep an edge iff it is within the top M of EITHER endpoint.
 *     `topM: null` keeps every edge.
 *  8. Index order: items and users sorted by id with a numeric-aware collation ('2' < '10';
 *     `localeCompare(b, undefined, { numeric: true })`), ties (e.g. '01' vs '1') broken by code
 *     units. In `edges`, a is the endpoint that comes first in that item order. CSR rows are
 *     sorted by column index, weights are c(i, j).
 *  Defaults of minSupport and topM: NETWORK_DEFAULTS (chosen by measurement, see the README).
 *
 * Cost. Capped (the default): item by item, the full co-purchase row of i is counted in a dense
 * counter (sum over kept users of |R_u|^2 increments in all), the neighbours sharing a value of k
 * go through a bounded heap of size M per kind, and only the M survivors per item and kind are
 * kept: memory is O(items x M x kinds + purchases), whatever the density of the co-purchase graph.
 * Uncapped: each pair is counted once (j > i) and every edge is kept, so memory follows the edge
 * count, which for a kind shared by most of the catalogue (genres) is quadratic in the items.
 */
import type { AttributeRecord, InteractionRecord, ItemRecord } from '../datasets/dataset.types';
import { columnsFromRecords, type DatasetColumns } from '../datasets/dataset-columns';
import type { CsrAdjacency, GraphData } from '../model/graph-data';
import { buildTrainingSet, type PositiveRows, type UserItemPair } from './training-set';

export { collectDataset } from '../datasets/collect-dataset';
export type { CollectedDataset } from '../datasets/collect-dataset';
export { compareIds } from './item-order';
export type { UserItemPair } from './training-set';

/** At most this many shared values are listed in an edge's `via`. */
export const VIA_CAP = 5;

/**
 * Default caps of the attribute networks (import, evaluation and every in-memory build): minimum
 * co-purchasers of an edge, and neighbours kept per item and network (union rule). Chosen by their
 * measured effect on eran-plus accuracy (README, Data): 100 neighbours lose nothing against no cap
 * on ml100k-cast, fewer start to; a second co-purchaser lowers both protocols.
 */
export const NETWORK_DEFAULTS: { readonly minSupport: number; readonly topM: number | null } = { minSupport: 1, topM: 100 };

export interface NetworkInput {
  readonly items: readonly ItemRecord[];
  readonly attributes: readonly AttributeRecord[];
  readonly interactions: readonly InteractionRecord[];
}

export interface NetworkCaps {
  /** Minimum co-purchase count c(i, j) for an edge (default NETWORK_DEFAULTS.minSupport). */
  readonly minSupport?: number;
  /** Per-item cap on neighbours per kind, union rule; null: no cap (default NETWORK_DEFAULTS.topM). */
  readonly topM?: number | null;
}

export interface NetworkOptions extends NetworkCaps {
  /** A rating strictly above this is a positive (default 3). */
  readonly positiveThreshold?: number;
  /** Users with fewer positives (before held-out removal) are dropped (default 5). */
  readonly minHistory?: number;
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

export function buildAttributeNetworks(input: NetworkInput, opts: NetworkOptions = {}): BuiltNetworks {
  const kinds = opts.kinds ?? [...new Set(input.attributes.map((a) => a.kind))].sort();
  if (new Set(kinds).size !== kinds.length) throw new RangeError(`kinds must be distinct, got ${kinds.join(', ')}`);
  const caps = resolveCaps(opts);
  const columns = columnsFromRecords(input, { kinds });
  const set = buildTrainingSet(columns, opts);
  const values = kindValues(columns, set.itemOrder, kinds);
  const built = buildNetworks(set.training, set.itemIds, values, caps);
  const networks = built.kinds.map((edges, k): CsrAdjacency => toCsr(kinds[k], set.itemIds.length, edges));
  const userItems = Array.from(set.userIds, (_, u) => set.training.item.subarray(set.training.ptr[u], set.training.ptr[u + 1]));

  const edges = new Map<string, NetworkEdge[]>();
  if (opts.edgeList ?? true) kinds.forEach((kind, k) => edges.set(kind, toEdgeRecords(built.kinds[k], set.itemIds, values[k].valueIds)));
  const perKind = (counts: ArrayLike<number>): Record<string, number> => Object.fromEntries(kinds.map((kind, k) => [kind, counts[k]]));
  return {
    graph: { itemIds: set.itemIds, userIds: set.userIds, networks, userItems },
    edges,
    stats: {
      items: set.itemIds.length,
      usersTotal: set.stats.usersTotal,
      usersKept: set.stats.usersKept,
      usersDropped: set.stats.usersTotal - set.stats.usersKept,
      positives: set.stats.positives,
      trainingPositives: set.stats.positives - set.stats.heldOutRemoved,
      heldOutRemoved: set.stats.heldOutRemoved,
      unknownItemInteractions: columns.counts.unknownItemInteractions,
      unknownItemAttributes: columns.counts.unknownItemAttributes,
      coPurchaseEdges: built.coPurchaseEdges,
      edgesBeforeTopM: perKind(built.edgesBeforeCap),
      edgesPerKind: perKind(built.kinds.map((b) => b.length)),
    },
  };
}

export function resolveCaps(opts: NetworkCaps): { minSupport: number; topM: number | null } {
  const minSupport = opts.minSupport ?? NETWORK_DEFAULTS.minSupport;
  const topM = opts.topM === undefined ? NETWORK_DEFAULTS.topM : opts.topM;
  if (!Number.isInteger(minSupport) || minSupport < 1) throw new RangeError(`minSupport must be an integer >= 1, got ${minSupport}`);
  if (topM !== null && (!Number.isInteger(topM) || topM < 1)) throw new RangeError(`topM must be an integer >= 1 or null, got ${topM}`);
  return { minSupport, topM };
}

/** One kind's values: value ids sorted by code units, and per model item the sorted value indexes (CSR). */
export interface KindValues {
  readonly kind: string;
  readonly valueIds: readonly string[];
  readonly ptr: Int32Array;
  readonly values: Int32Array;
}

export function kindValues(columns: DatasetColumns, itemOrder: Int32Array, kinds: readonly string[]): KindValues[] {
  const n = itemOrder.length;
  const { links, values } = columns;
  return kinds.map((kind) => {
    // Code-unit order of value ids makes a merge of index lists yield `via` already sorted.
    const own: number[] = [];
    for (let v = 0; v < values.kinds.length; v++) if (values.kinds[v] === kind) own.push(v);
    own.sort((a, b) => byCodeUnits(values.ids[a], values.ids[b]));
    const local = new Int32Array(values.kinds.length).fill(-1);
    own.forEach((v, index) => (local[v] = index));
    const ptr = new Int32Array(n + 1);
    for (let l = 0; l < links.item.length; l++) if (local[links.value[l]] >= 0) ptr[itemOrder[links.item[l]] + 1]++;
    for (let i = 0; i < n; i++) ptr[i + 1] += ptr[i];
    const fill = ptr.slice(0, n);
    const out = new Int32Array(ptr[n]);
    for (let l = 0; l < links.item.length; l++) {
      const v = local[links.value[l]];
      if (v >= 0) out[fill[itemOrder[links.item[l]]]++] = v;
    }
    for (let i = 0; i < n; i++) out.subarray(ptr[i], ptr[i + 1]).sort();
    return { kind, valueIds: own.map((v) => values.ids[v]), ptr, values: out };
  });
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Columnar edge list: endpoints a < b (model item indexes), weight, and a CSR of via value indexes. */
export class EdgeBuffer {
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
}

function grow(array: Int32Array, size: number): Int32Array {
  const out = new Int32Array(size);
  out.set(array);
  return out;
}

export interface NetworkBuild {
  /** Per kind (in the order of `values`): the edges, sorted by (a, b). */
  readonly kinds: readonly EdgeBuffer[];
  readonly coPurchaseEdges: number;
  readonly edgesBeforeCap: Int32Array | Float64Array;
}

export interface BuildProgress {
  /** Called now and then with the number of items whose rows are done. */
  readonly onItems?: (done: number) => void;
}

/**
 * Rules 5-7 over training positives (per user, items ascending) and each kind's values.
 * `itemIds` gives the code-unit tie-break of the top-M ranking.
 */
export function buildNetworks(
  training: Pick<PositiveRows, 'ptr' | 'item'>,
  itemIds: readonly string[],
  values: readonly KindValues[],
  caps: { readonly minSupport: number; readonly topM: number | null },
  progress: BuildProgress = {},
): NetworkBuild {
  const n = itemIds.length;
  const rows = new CoPurchaseRows(n, training);
  const shared = new Int32Array(VIA_CAP);
  const edgesBeforeCap = new Float64Array(values.length);
  const { minSupport, topM } = caps;
  let coPurchaseEdges = 0;

  if (topM === null) {
    // Each pair once (j > i), in ascending j: edges come out sorted by (a, b).
    const out = values.map(() => new EdgeBuffer());
    const stamps = values.map((kv) => new Int32Array(kv.valueIds.length));
    for (let i = 0; i < n; i++) {
      const t = rows.count(i, true);
      rows.touched.subarray(0, t).sort();
      for (let k = 0; k < values.length; k++) stampValues(values[k], stamps[k], i);
      for (let x = 0; x < t; x++) {
        const j = rows.touched[x];
        const c = rows.counter[j];
        if (c < minSupport) continue;
        coPurchaseEdges++;
        for (let k = 0; k < values.length; k++) {
          if (!sharesValue(values[k], stamps[k], j, i + 1)) continue;
          edgesBeforeCap[k]++;
          out[k].push(i, j, c, shared, intersect(values[k], i, j, shared));
        }
      }
      rows.clear(t);
      if ((i & 1023) === 1023) progress.onItems?.(i + 1);
    }
    progress.onItems?.(n);
    return { kinds: out, coPurchaseEdges, edgesBeforeCap };
  }

  const rank = codeUnitRanks(itemIds);
  const choosers = values.map((kv) => new NeighbourChooser(kv, n, topM, rank));
  const selections = values.map(() => new Selections(n));
  for (let i = 0; i < n; i++) {
    // i's whole row (every j != i), so that i can choose its own top M.
    const t = rows.count(i, false);
    for (let x = 0; x < t; x++) {
      const j = rows.touched[x];
      if (j > i && rows.counter[j] >= minSupport) coPurchaseEdges++;
    }
    for (let k = 0; k < values.length; k++) {
      edgesBeforeCap[k] += choosers[k].choose(i, rows, t, minSupport);
      selections[k].take(i, choosers[k].heap);
    }
    rows.clear(t);
    if ((i & 1023) === 1023) progress.onItems?.(i + 1);
  }
  progress.onItems?.(n);
  return { kinds: selections.map((s, k) => s.union(values[k], shared)), coPurchaseEdges, edgesBeforeCap };
}

/**
 * Co-purchase counts of one item at a time: counter[j] = c(i, j) for the items in touched[0, t).
 * A dense counter reused row after row (cleared through `touched`), so a row costs the purchases
 * of i's buyers, never the catalogue size.
 */
class CoPurchaseRows {
  readonly counter: Int32Array;
  readonly touched: Int32Array;
  private readonly buyerPtr: Int32Array;
  private readonly buyers: Int32Array;
  private readonly userPtr: Int32Array;
  private readonly userItems: Int32Array;

  constructor(n: number, training: Pick<PositiveRows, 'ptr' | 'item'>) {
    this.counter = new Int32Array(n);
    this.touched = new Int32Array(n);
    this.userPtr = training.ptr;
    this.userItems = training.item;
    // Item -> buyers (user indexes), as CSR.
    this.buyerPtr = new Int32Array(n + 1);
    for (let q = 0; q < training.item.length; q++) this.buyerPtr[training.item[q] + 1]++;
    for (let i = 0; i < n; i++) this.buyerPtr[i + 1] += this.buyerPtr[i];
    const fill = this.buyerPtr.slice(0, n);
    this.buyers = new Int32Array(this.buyerPtr[n]);
    for (let u = 0; u + 1 < training.ptr.length; u++) {
      for (let q = training.ptr[u]; q < training.ptr[u + 1]; q++) this.buyers[fill[training.item[q]]++] = u;
    }
  }

  /** Counts row i (only j > i when `above`); returns how many items were touched. */
  count(i: number, above: boolean): number {
    const { counter, touched, userPtr, userItems, buyers } = this;
    let t = 0;
    for (let p = this.buyerPtr[i]; p < this.buyerPtr[i + 1]; p++) {
      const u = buyers[p];
      const end = userPtr[u + 1];
      for (let q = above ? firstAbove(userItems, userPtr[u], end, i) : userPtr[u]; q < end; q++) {
        const j = userItems[q];
        if (j !== i && counter[j]++ === 0) touched[t++] = j;
      }
    }
    return t;
  }

  clear(t: number): void {
    for (let x = 0; x < t; x++) this.counter[this.touched[x]] = 0;
  }
}

/**
 * One kind's top-M choice for item i among its co-purchased items that share a value of the kind.
 * The candidates come from whichever list is shorter: i's co-purchase row (each checked for a
 * shared value), or the items carrying i's values (each looked up in the row). For actors and
 * directors the second is a few dozen items against thousands of co-purchases.
 */
class NeighbourChooser {
  readonly heap: TopM;
  private readonly stamp: Int32Array;
  private readonly seen: Int32Array;
  private readonly valueItemPtr: Int32Array;
  private readonly valueItems: Int32Array;

  constructor(
    private readonly kv: KindValues,
    n: number,
    topM: number,
    rank: Int32Array,
  ) {
    this.heap = new TopM(topM, rank);
    this.stamp = new Int32Array(kv.valueIds.length);
    this.seen = new Int32Array(n);
    // Value -> items carrying it (CSR).
    const count = kv.valueIds.length;
    this.valueItemPtr = new Int32Array(count + 1);
    for (let p = 0; p < kv.values.length; p++) this.valueItemPtr[kv.values[p] + 1]++;
    for (let v = 0; v < count; v++) this.valueItemPtr[v + 1] += this.valueItemPtr[v];
    const fill = this.valueItemPtr.slice(0, count);
    this.valueItems = new Int32Array(kv.values.length);
    for (let i = 0; i < n; i++) for (let p = kv.ptr[i]; p < kv.ptr[i + 1]; p++) this.valueItems[fill[kv.values[p]]++] = i;
  }

  /** Offers i's candidates to the heap; returns how many of them lie above i (edges before the cap). */
  choose(i: number, rows: CoPurchaseRows, t: number, minSupport: number): number {
    const { kv, heap, valueItemPtr, valueItems } = this;
    const counter = rows.counter;
    let pool = 0;
    for (let p = kv.ptr[i]; p < kv.ptr[i + 1]; p++) pool += valueItemPtr[kv.values[p] + 1] - valueItemPtr[kv.values[p]];
    let above = 0;
    if (pool < t) {
      const seen = this.seen;
      for (let p = kv.ptr[i]; p < kv.ptr[i + 1]; p++) {
        const v = kv.values[p];
        for (let q = valueItemPtr[v]; q < valueItemPtr[v + 1]; q++) {
          const j = valueItems[q];
          if (j === i || seen[j] === i + 1) continue;
          seen[j] = i + 1;
          const c = counter[j];
          if (c < minSupport) continue;
          if (j > i) above++;
          heap.offer(j, c);
        }
      }
      return above;
    }
    stampValues(kv, this.stamp, i);
    for (let x = 0; x < t; x++) {
      const j = rows.touched[x];
      const c = counter[j];
      if (c < minSupport || !sharesValue(kv, this.stamp, j, i + 1)) continue;
      if (j > i) above++;
      heap.offer(j, c);
    }
    return above;
  }
}

function stampValues(kv: KindValues, stamp: Int32Array, i: number): void {
  for (let p = kv.ptr[i]; p < kv.ptr[i + 1]; p++) stamp[kv.values[p]] = i + 1;
}

/** First position in sorted[from, to) holding a value > x. */
function firstAbove(sorted: Int32Array, from: number, to: number, x: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Does item j carry a value of this kind stamped with `stamp` (the values of the current item)? */
function sharesValue(kv: KindValues, stamp: Int32Array, j: number, mark: number): boolean {
  for (let p = kv.ptr[j]; p < kv.ptr[j + 1]; p++) if (stamp[kv.values[p]] === mark) return true;
  return false;
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

/** rank[i] = position of item i's id in code-unit order (the top-M tie-break). */
function codeUnitRanks(itemIds: readonly string[]): Int32Array {
  const order = [...itemIds.keys()].sort((a, b) => byCodeUnits(itemIds[a], itemIds[b]));
  const rank = new Int32Array(itemIds.length);
  order.forEach((item, r) => (rank[item] = r));
  return rank;
}

/**
 * The M best neighbours seen so far (weight desc, then code-unit id asc), as a binary heap whose
 * root is the worst of them: a candidate only has to beat the root.
 */
class TopM {
  size = 0;
  readonly items: Int32Array;
  readonly weights: Int32Array;

  constructor(
    private readonly m: number,
    private readonly rank: Int32Array,
  ) {
    this.items = new Int32Array(m);
    this.weights = new Int32Array(m);
  }

  offer(item: number, weight: number): void {
    if (this.size < this.m) {
      let s = this.size++;
      while (s > 0) {
        const parent = (s - 1) >> 1;
        if (!this.worse(item, weight, this.items[parent], this.weights[parent])) break;
        this.items[s] = this.items[parent];
        this.weights[s] = this.weights[parent];
        s = parent;
      }
      this.items[s] = item;
      this.weights[s] = weight;
      return;
    }
    if (!this.worse(this.items[0], this.weights[0], item, weight)) return;
    let s = 0;
    for (;;) {
      const left = 2 * s + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && this.worse(this.items[right], this.weights[right], this.items[left], this.weights[left]) ? right : left;
      if (!this.worse(this.items[child], this.weights[child], item, weight)) break;
      this.items[s] = this.items[child];
      this.weights[s] = this.weights[child];
      s = child;
    }
    this.items[s] = item;
    this.weights[s] = weight;
  }

  private worse(x: number, wx: number, y: number, wy: number): boolean {
    return wx < wy || (wx === wy && this.rank[x] > this.rank[y]);
  }
}

/** Each item's top-M choices, appended item by item; then the union of the choices as edges. */
class Selections {
  private readonly ptr: Int32Array;
  private items = new Int32Array(1024);
  private weights = new Int32Array(1024);

  constructor(private readonly n: number) {
    this.ptr = new Int32Array(n + 1);
  }

  take(i: number, heap: TopM): void {
    const start = this.ptr[i];
    if (start + heap.size > this.items.length) {
      const size = Math.max(this.items.length * 2, start + heap.size);
      this.items = grow(this.items, size);
      this.weights = grow(this.weights, size);
    }
    for (let h = 0; h < heap.size; h++) {
      if (heap.weights[h] >= WEIGHT_SPAN)
        throw new RangeError(`a co-purchase count of ${heap.weights[h]} exceeds the ${WEIGHT_SPAN - 1} the top-M union encodes`);
    }
    this.items.set(heap.items.subarray(0, heap.size), start);
    this.weights.set(heap.weights.subarray(0, heap.size), start);
    this.ptr[i + 1] = start + heap.size;
    heap.size = 0;
  }

  /** Edges chosen by either endpoint, once each, sorted by (a, b), with their via lists. */
  union(kv: KindValues, shared: Int32Array): EdgeBuffer {
    const n = this.n;
    const rowPtr = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) for (let p = this.ptr[i]; p < this.ptr[i + 1]; p++) rowPtr[Math.min(i, this.items[p]) + 1]++;
    for (let i = 0; i < n; i++) rowPtr[i + 1] += rowPtr[i];
    const fill = rowPtr.slice(0, n);
    // Key = other endpoint * 2^24 + weight: one numeric sort orders a row by b, and a pair chosen
    // by both endpoints (same weight both times) becomes two equal keys.
    const keys = new Float64Array(rowPtr[n]);
    for (let i = 0; i < n; i++) {
      for (let p = this.ptr[i]; p < this.ptr[i + 1]; p++) {
        const j = this.items[p];
        keys[fill[Math.min(i, j)]++] = Math.max(i, j) * WEIGHT_SPAN + this.weights[p];
      }
    }
    const out = new EdgeBuffer();
    for (let a = 0; a < n; a++) {
      const row = keys.subarray(rowPtr[a], rowPtr[a + 1]).sort();
      for (let r = 0; r < row.length; r++) {
        if (r > 0 && row[r] === row[r - 1]) continue;
        const b = Math.floor(row[r] / WEIGHT_SPAN);
        out.push(a, b, row[r] - b * WEIGHT_SPAN, shared, intersect(kv, a, b, shared));
      }
    }
    return out;
  }
}

/** Co-purchase counts stay below 2^24 (16M users buying the same pair); item indexes below 2^29. */
const WEIGHT_SPAN = 2 ** 24;

/** Symmetric CSR with sorted rows; relies on edges being sorted by (a, b) with a < b. */
export function toCsr(kind: string, n: number, edges: EdgeBuffer): CsrAdjacency {
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
