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
 * How: an inverted-file partition (IVF) per kind. k-means on a sample gives about sqrt(N) cells;
 * each item is compared with every centroid once, keeps its nearest cells, and its neighbours
 * are searched in those cells only. Memory is linear in N (the centroids, one cell per item and
 * `neighbours` ids per item); build time is O(N sqrt(N) d) per kind, and items appended later
 * (cold-start items) are placed in a cell and linked both ways in O(sqrt(N) d).
 *
 * Why our own and not a library: what serving needs is one all-items k-nearest-neighbour pass at
 * activation plus cheap appends, never a query per request. hnswlib-node compiles a native addon at
 * install; usearch loads a prebuilt one. Either builds an HNSW graph faster than this partition is
 * built in plain TypeScript (measured at 100k items, see the served-model README), but then needs
 * a query per item for the lists and blocks the event loop in native calls, where this build
 * yields between steps so that a retrained model is indexed while the previous one serves. If
 * activation time at catalogue scale becomes the bottleneck, usearch (prebuilt, multi-threaded
 * batch add and search) is the library to move to.
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
  readonly centroids: Float32Array;
  readonly cellCount: number;
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
      const probes = nearestCentroids(index.centroids, index.cellCount, d, v, this.options.probes);
      index.cells.add(probes[0]!, item);
      // Its own list ranks the others by b_y - distance; in theirs it ranks by b_item - distance,
      // the same for all of them: it joins the lists of the items nearest to it.
      const best = new TopM(this.options.neighbours);
      const nearest = new TopM(this.options.neighbours);
      for (const cell of probes) {
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
  const { numItems: n, dim: d } = emb;
  const table = new Float32Array(n * d);
  const v = new Float64Array(d);
  for (let x = 0; x < n; x++) {
    spaceVector(emb, s, x, v);
    table.set(v, x * d);
  }
  const bias = biasOf(emb, s);
  const cellCount = Math.max(1, Math.min(n, Math.round(Math.sqrt(n))));
  const centroids = yield* kMeans(table, n, d, cellCount, opts);
  const probes = Math.min(opts.probes, cellCount);

  // Every item against every centroid: its cell and the cells its neighbours are searched in.
  const probeOf = new Int32Array(n * probes);
  const nearest = new TopM(probes);
  let work = 0;
  for (let x = 0; x < n; x++) {
    nearestCentroidsInto(centroids, cellCount, d, table, x * d, nearest);
    probeOf.set(nearest.items(), x * probes);
    work += cellCount * d;
    if (work > opts.stepWork) {
      work = 0;
      yield;
    }
  }
  const cellRows: number[][] = Array.from({ length: cellCount }, () => []);
  for (let x = 0; x < n; x++) cellRows[probeOf[x * probes]!]!.push(x);
  const cells = NeighbourLists.fromRows(cellRows);

  // Cell by cell: its members against every item of the cells any of them searches, distances
  // by ||x||^2 + ||y||^2 - 2 x.y with the dot products as one block (a matrix product on the
  // backend when one is initialised: N x probes x cell size pairs is where the build spends its time).
  const norms = new Float64Array(n);
  for (let x = 0; x < n; x++) for (let t = 0; t < d; t++) norms[x]! += table[x * d + t]! * table[x * d + t]!;
  const rows: Int32Array[] = new Array<Int32Array>(n);
  const best = new TopM(opts.neighbours);
  for (let c = 0; c < cellCount; c++) {
    const members = cellRows[c]!;
    if (members.length === 0) continue;
    const searched = new Set<number>();
    for (const x of members) for (let q = 0; q < probes; q++) searched.add(probeOf[x * probes + q]!);
    const pool = [...searched].flatMap((cell) => cellRows[cell]!);
    const dots = pairDots(gatherRows(table, members, d), members.length, gatherRows(table, pool, d), pool.length, d);
    members.forEach((x, i) => {
      best.clear();
      const nx = norms[x]!;
      for (let j = 0; j < pool.length; j++) {
        const y = pool[j]!;
        if (y === x) continue;
        const key = nx + norms[y]! - 2 * dots[i * pool.length + j]! - (bias === null ? 0 : bias[y]!);
        if (key < best.worst) best.offer(y, key);
      }
      rows[x] = best.items();
    });
    work += members.length * pool.length * d;
    if (work > opts.stepWork) {
      work = 0;
      yield;
    }
  }
  return { centroids, cellCount, cells, lists: NeighbourLists.fromRows(rows) };
}

function gatherRows(table: Float32Array, items: readonly number[], d: number): Float32Array {
  const out = new Float32Array(items.length * d);
  items.forEach((x, i) => out.set(table.subarray(x * d, (x + 1) * d), i * d));
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
  const centroids = new Float32Array(count * d);
  for (let c = 0; c < count; c++) centroids.set(table.subarray(sample[c]! * d, (sample[c]! + 1) * d), c * d);
  const assigned = new Int32Array(sample.length).fill(-1);
  const sums = new Float64Array(count * d);
  const sizes = new Int32Array(count);
  let work = 0;
  for (let it = 0; it < opts.iterations; it++) {
    let moved = 0;
    const nearest = new TopM(1);
    for (let s = 0; s < sample.length; s++) {
      const x = sample[s]!;
      nearestCentroidsInto(centroids, count, d, table, x * d, nearest);
      const c = nearest.first();
      if (c !== assigned[s]) moved++;
      assigned[s] = c;
      work += count * d;
      if (work > opts.stepWork) {
        work = 0;
        yield;
      }
    }
    if (moved === 0) break;
    sums.fill(0);
    sizes.fill(0);
    for (let s = 0; s < sample.length; s++) {
      const c = assigned[s]!;
      sizes[c]!++;
      for (let t = 0; t < d; t++) sums[c * d + t]! += table[sample[s]! * d + t]!;
    }
    // An emptied cell keeps its centroid: it may still attract items outside the sample.
    for (let c = 0; c < count; c++) if (sizes[c]! > 0) for (let t = 0; t < d; t++) centroids[c * d + t] = sums[c * d + t]! / sizes[c]!;
  }
  return centroids;
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
