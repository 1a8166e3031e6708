/**
 * Nearest items in code space, per attribute kind: for every item, its few nearest items by
 * ||h^k_x - h^k_y||^2 (h^k = code^k + e, the vectors every scoring rule compares), computed when a
 * model is activated, so that a request only reads lists.
 *
 * How: an inverted-file partition (IVF) per kind. k-means on a sample gives about sqrt(N) cells;
 * each item is compared with every centroid once, keeps its nearest cells, and its neighbours
 * are searched in those cells only. Memory is linear in N (the centroids, one cell per item and
 * `neighbours` ids per item); build time is O(N sqrt(N) d) per kind, and items appended later
 * (cold-start items) are placed in a cell and linked both ways in O(sqrt(N) d).
 *
 * Why our own and not a library: hnswlib-node needs a native build at install, and usearch ships
 * prebuilt binaries; both build a graph index that took longer to construct at 100k items than
 * this partition (see the served-model README), and requests here never query the index: they
 * read the precomputed lists. What is needed is an all-items k-nearest-neighbour pass, which an
 * IVF does in a few dozen lines of plain TypeScript, with no native code to install on a server.
 */
import type { EranEmbeddings } from '../../model/embeddings';
import { kindVector } from '../../model/mixture-scoring';
import { Rng } from '../../model/rng';
import { NeighbourLists } from './neighbour-lists';

export interface CodeIndexOptions {
  /** Nearest items kept per item and kind (default 16). */
  readonly neighbours?: number;
  /** Cells searched per item (default 4): more finds truer neighbours at a proportional cost. */
  readonly probes?: number;
  /** k-means iterations on the sample (default 8). */
  readonly iterations?: number;
  readonly seed?: number;
}

/** One kind's partition and the items' neighbour lists. */
interface KindIndex {
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
    private readonly kinds: KindIndex[],
    private readonly dim: number,
    private readonly options: Required<CodeIndexOptions>,
  ) {}

  /** Item `item`'s nearest items in kind `k`, nearest first (at most `limit`). */
  forEachNeighbour(k: number, item: number, limit: number, visit: (neighbour: number) => void): void {
    this.kinds[k]!.lists.forEach(item, limit, visit);
  }

  neighbours(k: number, item: number, limit = Infinity): number[] {
    return this.kinds[k]!.lists.row(item, limit);
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
    this.kinds.forEach((index, k) => {
      kindVector(emb, item, k, v);
      const probes = nearestCentroids(index.centroids, index.cellCount, d, v, this.options.probes);
      index.cells.add(probes[0]!, item);
      const best = new TopM(this.options.neighbours);
      for (const cell of probes) {
        index.cells.forEach(cell, Infinity, (y) => {
          if (y === item) return;
          kindVector(emb, y, k, w);
          best.offer(y, squaredDistance(v, 0, w, 0, d));
        });
      }
      for (const y of best.items()) {
        index.lists.add(item, y);
        index.lists.add(y, item);
      }
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
    };
    const kinds: KindIndex[] = [];
    for (let k = 0; k < emb.kinds.length; k++) kinds.push(yield* buildKind(emb, k, opts));
    return new CodeIndex(kinds, emb.dim, opts);
  }
}

/** Work between two yields, in multiply-adds. */
const CHUNK = 2_000_000;

function* buildKind(emb: EranEmbeddings, k: number, opts: Required<CodeIndexOptions>): BuildSteps<KindIndex> {
  const { numItems: n, dim: d } = emb;
  const table = new Float32Array(n * d);
  const v = new Float64Array(d);
  for (let x = 0; x < n; x++) {
    kindVector(emb, x, k, v);
    table.set(v, x * d);
  }
  const cellCount = Math.max(1, Math.min(n, Math.round(Math.sqrt(n))));
  const centroids = yield* kMeans(table, n, d, cellCount, opts);
  const probes = Math.min(opts.probes, cellCount);

  // Every item against every centroid: its cell and the cells its neighbours are searched in.
  const probeOf = new Int32Array(n * probes);
  let work = 0;
  for (let x = 0; x < n; x++) {
    probeOf.set(nearestCentroids(centroids, cellCount, d, table.subarray(x * d, (x + 1) * d), probes), x * probes);
    work += cellCount * d;
    if (work > CHUNK) {
      work = 0;
      yield;
    }
  }
  const cellRows: number[][] = Array.from({ length: cellCount }, () => []);
  for (let x = 0; x < n; x++) cellRows[probeOf[x * probes]!]!.push(x);
  const cells = NeighbourLists.fromRows(cellRows);

  const rows: Int32Array[] = [];
  const best = new TopM(opts.neighbours);
  for (let x = 0; x < n; x++) {
    best.clear();
    for (let q = 0; q < probes; q++) {
      const members = cellRows[probeOf[x * probes + q]!]!;
      for (const y of members) if (y !== x) best.offer(y, squaredDistance(table, x * d, table, y * d, d));
      work += members.length * d;
    }
    rows.push(best.items());
    if (work > CHUNK) {
      work = 0;
      yield;
    }
  }
  return { centroids, cellCount, cells, lists: NeighbourLists.fromRows(rows) };
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
    for (let s = 0; s < sample.length; s++) {
      const x = sample[s]!;
      const c = nearestCentroids(centroids, count, d, table.subarray(x * d, (x + 1) * d), 1)[0]!;
      if (c !== assigned[s]) moved++;
      assigned[s] = c;
      work += count * d;
      if (work > CHUNK) {
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
  for (let c = 0; c < count; c++) best.offer(c, squaredDistance(v, 0, centroids, c * d, d));
  return best.items();
}

function squaredDistance(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const diff = a[ao + t]! - b[bo + t]!;
    s += diff * diff;
  }
  return s;
}

/** The m smallest distances seen, kept sorted (m is small: insertion is cheaper than a heap). */
class TopM {
  private readonly ids: Int32Array;
  private readonly dist: Float64Array;
  private size = 0;

  constructor(private readonly m: number) {
    this.ids = new Int32Array(m);
    this.dist = new Float64Array(m);
  }

  clear(): void {
    this.size = 0;
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
  }

  items(): Int32Array {
    return this.ids.slice(0, this.size);
  }
}
