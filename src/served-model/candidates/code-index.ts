/**
 * Nearest items in code space: for every item, its few best neighbours in each attribute kind's
 * space (h^k = code^k + e, the vectors every scoring rule compares) and in the plain space (the
 * kinds' codes averaged, + e: similarity without a user), computed when a model is activated, so
 * that a request only reads lists.
 *
 * In a kind's space the neighbours of j are ranked by b_y - ||h^k_y - h^k_j||^2 (b = the learned
 * item bias, when the model has one): the share of y's score that purchase j alone would give
 * under every scoring rule (tau log K = -||.||^2 for the kernel rules; eq. 13 adds b per purchase),
 * so a popular item close to a purchase outranks an obscure one just as close. The plain space is
 * ranked by distance alone.
 *
 * How: an inverted-file partition (IVF) per space, over lifted vectors (see `Lift`) in which the
 * ranked key is an exact Euclidean distance. k-means on a sample gives about sqrt(N) cells; each
 * item is compared with every centroid once (blocks of dot products), stored in its nearest cell
 * and searches its `probes` nearest cells; each cell's members are then compared, in one block,
 * with exactly the items that search that cell. Memory is linear in N (the centroids, one cell per
 * item, `neighbours` ids per item); build work is N x probes x cell size dot products per space,
 * and items appended later (cold-start items) are placed and linked both ways in O(sqrt(N) d).
 *
 * Why our own and not a library: what serving needs is one all-items k-nearest-neighbour pass at
 * activation plus cheap appends, never a query per request. hnswlib-node compiles a native addon at
 * install; usearch loads a prebuilt one. Their HNSW builds were faster than the first version of
 * this partition, but they need a query per item for the lists, block the event loop in native
 * calls and rank by distance only (the bias would need the same lift). Since each item is compared
 * only with the cells it searches (not with every cell any member of its cell searches), this
 * build is faster than those libraries measured here and yields between steps, so that a retrained
 * model is indexed while the previous one serves (figures in the served-model README).
 */
import type { EranEmbeddings } from '../../model/embeddings';
import { kindVector } from '../../model/mixture-scoring';
import { addItemEmbedding } from '../../model/personalize';
import { Rng } from '../../model/rng';
import { pairDots } from '../scoring/kernel-sums';
import { NeighbourLists } from './neighbour-lists';

export interface CodeIndexOptions {
  /** Nearest items kept per item and kind (default 16). */
  readonly neighbours?: number;
  /** Cells searched per item (default 4): more finds truer neighbours at a proportional cost. */
  readonly probes?: number;
  /** k-means iterations on the sample (default 8). */
  readonly iterations?: number;
  readonly seed?: number;
  /** Multiply-adds between two yields of the stepwise build (default 2M: a few ms). */
  readonly stepWork?: number;
}

/** One space's partition and the items' neighbour lists. */
interface SpaceIndex {
  /** Centroids of the stored vectors (dimension `dim`: the space's d plus the bias coordinate). */
  readonly centroids: Float32Array;
  readonly cellCount: number;
  readonly dim: number;
  readonly lift: Lift;
  /** Members of each cell (cells are short lists; appended items go to the additions). */
  readonly cells: NeighbourLists;
  readonly lists: NeighbourLists;
}

/** Build steps yield between chunks of work, so an async caller can keep serving meanwhile. */
export type BuildSteps<T> = Generator<void, T, void>;

export class CodeIndex {
  private constructor(
    private readonly spaces: SpaceIndex[],
    private readonly dim: number,
    private readonly options: Required<CodeIndexOptions>,
  ) {}

  /** The plain space's number: spaces 0..K-1 are the kinds, space K the averaged codes. */
  get plainSpace(): number {
    return this.spaces.length - 1;
  }

  /** Item `item`'s best neighbours in space `s` (a kind index, or plainSpace), best first (at most `limit`). */
  forEachNeighbour(s: number, item: number, limit: number, visit: (neighbour: number) => void): void {
    this.spaces[s]!.lists.forEach(item, limit, visit);
  }

  neighbours(s: number, item: number, limit = Infinity): number[] {
    return this.spaces[s]!.lists.row(item, limit);
  }

  /**
   * Places an item appended to the embeddings after the build (its index is emb.numItems - 1 or
   * any index the lists do not cover yet) and links it to its nearest items both ways, so that it
   * shows up among the neighbours of the purchases it resembles.
   */
  add(emb: EranEmbeddings, item: number): void {
    const d = this.dim;
    const v = new Float64Array(d);
    const w = new Float64Array(d);
    this.spaces.forEach((index, s) => {
      spaceVector(emb, s, item, v);
      const bias = biasOf(emb, s);
      const query = new Float32Array(index.dim);
      query.set(v);
      const stored = query.slice();
      stored[d] = liftCoordinate(index.lift, bias?.[item] ?? 0);
      index.cells.add(nearestCentroids(index.centroids, index.cellCount, index.dim, stored, 1)[0]!, item);
      // Its own list ranks the others by b_y - distance; in theirs it ranks by b_item - distance,
      // the same for all of them: it joins the lists of the items nearest to it.
      const best = new TopM(this.options.neighbours);
      const nearest = new TopM(this.options.neighbours);
      for (const cell of nearestCentroids(index.centroids, index.cellCount, index.dim, query, this.options.probes)) {
        index.cells.forEach(cell, Infinity, (y) => {
          if (y === item) return;
          spaceVector(emb, s, y, w);
          const distance = squaredDistance(v, 0, w, 0, d);
          best.offer(y, distance - (bias?.[y] ?? 0));
          nearest.offer(y, distance);
        });
      }
      for (const y of best.items()) index.lists.add(item, y);
      for (const y of nearest.items()) index.lists.add(y, item);
    });
  }

  static build(emb: EranEmbeddings, options: CodeIndexOptions = {}): CodeIndex {
    const steps = CodeIndex.steps(emb, options);
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
    }
  }

  /** The build as steps; `build` runs them at once, the served engine awaits between them. */
  static *steps(emb: EranEmbeddings, options: CodeIndexOptions = {}): BuildSteps<CodeIndex> {
    const opts: Required<CodeIndexOptions> = {
      neighbours: options.neighbours ?? 16,
      probes: options.probes ?? 4,
      iterations: options.iterations ?? 8,
      seed: options.seed ?? 1,
      stepWork: options.stepWork ?? 2_000_000,
    };
    const spaces: SpaceIndex[] = [];
    for (let s = 0; s <= emb.kinds.length; s++) spaces.push(yield* buildSpace(emb, s, opts));
    return new CodeIndex(spaces, emb.dim, opts);
  }
}

/** Space s's vector of an item: h^s = code^s + e for a kind, the codes averaged + e for the plain space. */
function spaceVector(emb: EranEmbeddings, s: number, item: number, out: Float64Array): void {
  if (s < emb.kinds.length) {
    kindVector(emb, item, s, out);
    return;
  }
  const { dim: d, codes } = emb;
  out.fill(0);
  for (let k = 0; k < codes.length; k++) for (let t = 0; t < d; t++) out[t]! += codes[k]![item * d + t]! / codes.length;
  addItemEmbedding(emb, item, out);
}

/** The bias neighbours are ranked with in space s (kinds only; null: distance alone). */
function biasOf(emb: EranEmbeddings, s: number): ArrayLike<number> | null {
  return s < emb.kinds.length ? emb.itemBias : null;
}

function* buildSpace(emb: EranEmbeddings, s: number, opts: Required<CodeIndexOptions>): BuildSteps<SpaceIndex> {
  const { numItems: n } = emb;
  const lift = liftOf(emb, s);
  const { stored, queries, dim } = liftedTables(emb, s, lift);
  const cellCount = Math.max(1, Math.min(n, Math.round(Math.sqrt(n))));
  const centroids = yield* kMeans(stored, n, dim, cellCount, opts);
  const probes = Math.min(opts.probes, cellCount);

  // Every item against every centroid, twice: as stored (its cell) and as a query (the cells its
  // own neighbours are searched in).
  const cellOf = yield* nearestCells(stored, n, dim, centroids, cellCount, 1, opts);
  const probeOf = yield* nearestCells(queries, n, dim, centroids, cellCount, probes, opts);
  const cellRows: number[][] = Array.from({ length: cellCount }, () => []);
  for (let x = 0; x < n; x++) cellRows[cellOf[x]!]!.push(x);
  const cells = NeighbourLists.fromRows(cellRows);
  // The items that search each cell (the inverse of probeOf), as one CSR.
  const searchStart = new Int32Array(cellCount + 1);
  for (let p = 0; p < n * probes; p++) searchStart[probeOf[p]! + 1]!++;
  for (let c = 0; c < cellCount; c++) searchStart[c + 1]! += searchStart[c]!;
  const searchers = new Int32Array(n * probes);
  const fill = searchStart.slice(0, cellCount);
  for (let x = 0; x < n; x++) for (let q = 0; q < probes; q++) searchers[fill[probeOf[x * probes + q]!]!++] = x;

  // Cell by cell: the items searching it (as queries) against its members (as stored), the dot
  // products as one block (a matrix product on the backend when one is initialised: N x probes x
  // cell size pairs, each computed once, is where the build spends its time). Each item keeps
  // its best `neighbours` so far in a row of `best`.
  const storedNorms = rowNorms(stored, n, dim);
  const best = new BestRows(n, opts.neighbours);
  let work = 0;
  for (let c = 0; c < cellCount; c++) {
    const members = cellRows[c]!;
    if (members.length === 0) continue;
    const memberRows = gatherRows(stored, members, dim);
    const memberIds = Int32Array.from(members);
    const memberNorms = Float64Array.from(members, (y) => storedNorms[y]!);
    for (let from = searchStart[c]!; from < searchStart[c + 1]!; from += QUERY_BLOCK) {
      const block = searchers.subarray(from, Math.min(from + QUERY_BLOCK, searchStart[c + 1]!));
      const dots = pairDots(gatherRows(queries, block, dim), block.length, memberRows, members.length, dim);
      for (let i = 0; i < block.length; i++) {
        const x = block[i]!;
        const row = i * members.length;
        let worst = best.worst(x);
        for (let j = 0; j < memberIds.length; j++) {
          // ||q_x - s_y||^2 less ||q_x||^2, the same for every y of x's row.
          const key = memberNorms[j]! - 2 * dots[row + j]!;
          if (key <= worst && memberIds[j] !== x) {
            best.offer(x, memberIds[j]!, key);
            worst = best.worst(x);
          }
        }
      }
      work += block.length * members.length * dim;
      if (work > opts.stepWork) {
        work = 0;
        yield;
      }
    }
  }
  return { centroids, cellCount, dim, lift, cells, lists: best.lists() };
}

/** Rows of query items multiplied at once with a cell's members (bounds the block's memory). */
const QUERY_BLOCK = 4096;

/**
 * Why two tables: the lists rank y by ||h_y - h_x||^2 - b_y, not by distance alone, so a plain
 * nearest-neighbour partition of the h vectors would put a popular item's cell in the wrong place.
 * Stored as s_y = [h_y, sqrt(B - b_y)] (B the largest bias) and queried as q_x = [h_x, 0],
 * ||q_x - s_y||^2 = ||h_x - h_y||^2 - b_y + B: the ranked key plus a constant, an exact nearest-
 * neighbour problem the partition (k-means on the stored vectors) and the probes agree with.
 */
interface Lift {
  /** B: the largest item bias at the build (0 without biases). */
  readonly top: number;
  readonly bias: ArrayLike<number> | null;
}

function liftOf(emb: EranEmbeddings, s: number): Lift {
  const bias = biasOf(emb, s);
  let top = 0;
  if (bias !== null) {
    top = -Infinity;
    for (let y = 0; y < emb.numItems; y++) top = Math.max(top, bias[y]!);
  }
  return { top, bias };
}

/** The extra coordinate of an item stored in the partition (an item appended later may exceed B: 0 then). */
function liftCoordinate(lift: Lift, bias: number): number {
  return lift.bias === null ? 0 : Math.sqrt(Math.max(0, lift.top - bias));
}

function liftedTables(emb: EranEmbeddings, s: number, lift: Lift): { stored: Float32Array; queries: Float32Array; dim: number } {
  const { numItems: n, dim: d } = emb;
  const dim = d + 1;
  const stored = new Float32Array(n * dim);
  const queries = new Float32Array(n * dim);
  const v = new Float64Array(d);
  for (let x = 0; x < n; x++) {
    spaceVector(emb, s, x, v);
    stored.set(v, x * dim);
    queries.set(v, x * dim);
    stored[x * dim + d] = liftCoordinate(lift, lift.bias?.[x] ?? 0);
  }
  return { stored, queries, dim };
}

function rowNorms(table: Float32Array, rows: number, dim: number): Float64Array {
  const norms = new Float64Array(rows);
  for (let x = 0; x < rows; x++) for (let t = 0; t < dim; t++) norms[x]! += table[x * dim + t]! * table[x * dim + t]!;
  return norms;
}

function gatherRows(table: Float32Array, items: ArrayLike<number>, d: number): Float32Array {
  const out = new Float32Array(items.length * d);
  for (let i = 0; i < items.length; i++) out.set(table.subarray(items[i]! * d, (items[i]! + 1) * d), i * d);
  return out;
}

/** Rows assigned to centroids at once (block dot products), rather than one row at a time. */
const ASSIGN_BLOCK = 2048;

/** The `m` centroids nearest to each of `count` rows, nearest first: rows x m indexes. */
function* nearestCells(
  table: Float32Array,
  count: number,
  dim: number,
  centroids: Float32Array,
  cellCount: number,
  m: number,
  opts: Required<CodeIndexOptions>,
): BuildSteps<Int32Array> {
  const out = new Int32Array(count * m);
  const centroidNorms = rowNorms(centroids, cellCount, dim);
  const nearest = new TopM(m);
  let work = 0;
  for (let from = 0; from < count; from += ASSIGN_BLOCK) {
    const size = Math.min(ASSIGN_BLOCK, count - from);
    const block = table.subarray(from * dim, (from + size) * dim);
    const dots = pairDots(block, size, centroids, cellCount, dim);
    for (let i = 0; i < size; i++) {
      nearest.clear();
      for (let c = 0; c < cellCount; c++) {
        const key = centroidNorms[c]! - 2 * dots[i * cellCount + c]!;
        if (key < nearest.worst) nearest.offer(c, key);
      }
      out.set(nearest.items(), (from + i) * m);
    }
    work += size * cellCount * dim;
    if (work > opts.stepWork) {
      work = 0;
      yield;
    }
  }
  return out;
}

/** Lloyd's k-means on a seeded sample of the rows, initialised from distinct sample rows. */
function* kMeans(table: Float32Array, n: number, d: number, count: number, opts: Required<CodeIndexOptions>): BuildSteps<Float32Array> {
  const rng = new Rng(opts.seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const sample = order.subarray(0, Math.min(n, Math.max(count * 40, 2000)));
  const sampleRows = gatherRows(table, sample, d);
  const centroids = new Float32Array(count * d);
  for (let c = 0; c < count; c++) centroids.set(sampleRows.subarray(c * d, (c + 1) * d), c * d);
  let assigned = new Int32Array(sample.length).fill(-1);
  const sums = new Float64Array(count * d);
  const sizes = new Int32Array(count);
  for (let it = 0; it < opts.iterations; it++) {
    const next = yield* nearestCells(sampleRows, sample.length, d, centroids, count, 1, opts);
    let moved = 0;
    for (let s = 0; s < sample.length; s++) if (next[s] !== assigned[s]) moved++;
    assigned = next;
    if (moved === 0) break;
    sums.fill(0);
    sizes.fill(0);
    for (let s = 0; s < sample.length; s++) {
      const c = assigned[s]!;
      sizes[c]!++;
      for (let t = 0; t < d; t++) sums[c * d + t]! += sampleRows[s * d + t]!;
    }
    // An emptied cell keeps its centroid: it may still attract items outside the sample.
    for (let c = 0; c < count; c++) if (sizes[c]! > 0) for (let t = 0; t < d; t++) centroids[c * d + t] = sums[c * d + t]! / sizes[c]!;
  }
  return centroids;
}

/**
 * Every item's best `m` (smallest key, then smallest id) in flat arrays: one row per item, kept
 * sorted by insertion (m is small), so that the build allocates nothing per pair.
 */
class BestRows {
  private readonly ids: Int32Array;
  private readonly keys: Float64Array;
  private readonly sizes: Int32Array;

  constructor(
    private readonly n: number,
    private readonly m: number,
  ) {
    this.ids = new Int32Array(n * m);
    this.keys = new Float64Array(n * m).fill(Infinity);
    this.sizes = new Int32Array(n);
  }

  /** The key an offer must reach to be considered (Infinity until the row is full). */
  worst(x: number): number {
    return this.m === 0 ? -Infinity : this.keys[x * this.m + this.m - 1]!;
  }

  offer(x: number, id: number, key: number): void {
    const m = this.m;
    const base = x * m;
    const size = this.sizes[x]!;
    if (size === m) {
      const last = base + m - 1;
      if (key > this.keys[last]! || (key === this.keys[last] && id > this.ids[last]!)) return;
    }
    let p = size < m ? base + this.sizes[x]++ : base + m - 1;
    while (p > base && (this.keys[p - 1]! > key || (this.keys[p - 1] === key && this.ids[p - 1]! > id))) {
      this.keys[p] = this.keys[p - 1]!;
      this.ids[p] = this.ids[p - 1]!;
      p--;
    }
    this.keys[p] = key;
    this.ids[p] = id;
  }

  lists(): NeighbourLists {
    const indptr = new Int32Array(this.n + 1);
    for (let x = 0; x < this.n; x++) indptr[x + 1] = indptr[x]! + this.sizes[x]!;
    const indices = new Int32Array(indptr[this.n]!);
    for (let x = 0; x < this.n; x++) indices.set(this.ids.subarray(x * this.m, x * this.m + this.sizes[x]!), indptr[x]!);
    return new NeighbourLists(indptr, indices);
  }
}

/** The `m` centroids nearest to v, nearest first. */
function nearestCentroids(centroids: Float32Array, count: number, d: number, v: ArrayLike<number>, m: number): Int32Array {
  const best = new TopM(Math.min(m, count));
  nearestCentroidsInto(centroids, count, d, Float32Array.from(v), 0, best);
  return best.items();
}

/**
 * The centroids nearest to v[offset..offset + d), into `best` (cleared first; its size is how
 * many). Typed as Float32Array so that this hot loop stays monomorphic; `add` copies into one.
 */
function nearestCentroidsInto(centroids: Float32Array, count: number, d: number, v: Float32Array, offset: number, best: TopM): void {
  best.clear();
  for (let c = 0; c < count; c++) {
    const co = c * d;
    let s = 0;
    for (let t = 0; t < d; t++) {
      const diff = v[offset + t]! - centroids[co + t]!;
      s += diff * diff;
    }
    if (s < best.worst) best.offer(c, s);
  }
}

function squaredDistance(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const diff = a[ao + t]! - b[bo + t]!;
    s += diff * diff;
  }
  return s;
}

/** The m smallest keys seen, kept sorted (m is small: insertion is cheaper than a heap). */
class TopM {
  private readonly ids: Int32Array;
  private readonly dist: Float64Array;
  private size = 0;
  /** The key an offer must beat to enter (Infinity until full): read in the hot loops. */
  worst = Infinity;

  constructor(private readonly m: number) {
    this.ids = new Int32Array(m);
    this.dist = new Float64Array(m);
  }

  clear(): void {
    this.size = 0;
    this.worst = Infinity;
  }

  first(): number {
    return this.ids[0]!;
  }

  offer(id: number, distance: number): void {
    if (this.m === 0) return;
    if (this.size === this.m && !(distance < this.dist[this.m - 1]!)) return;
    let p = this.size < this.m ? this.size++ : this.m - 1;
    while (p > 0 && (this.dist[p - 1]! > distance || (this.dist[p - 1] === distance && this.ids[p - 1]! > id))) {
      this.dist[p] = this.dist[p - 1]!;
      this.ids[p] = this.ids[p - 1]!;
      p--;
    }
    this.dist[p] = distance;
    this.ids[p] = id;
    if (this.size === this.m) this.worst = this.dist[this.m - 1]!;
  }

  items(): Int32Array {
    return this.ids.slice(0, this.size);
  }
}
