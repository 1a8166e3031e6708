/**
 * Short neighbour lists per item (at most a few dozen entries each), as one CSR built once plus
 * additions for items appended later: memory linear in the catalogue, a row read in O(row).
 */
import type { CsrAdjacency } from '../../model/graph-data';

export class NeighbourLists {
  private readonly added = new Map<number, number[]>();

  constructor(
    private readonly indptr: Int32Array,
    private readonly indices: Int32Array,
  ) {
    if (indptr.length === 0 || indptr[indptr.length - 1] !== indices.length) {
      throw new Error(`NeighbourLists: expected indptr ending at ${indices.length}, got ${indptr[indptr.length - 1]}`);
    }
  }

  /** Items the CSR part covers (rows); items appended later have additions only. */
  get rows(): number {
    return this.indptr.length - 1;
  }

  /**
   * Calls `visit` for the item's neighbours: at most `limit` of its CSR row (in order), then at most
   * `limit` additions, so that an item appended after the build is reachable from its neighbours
   * even though it would not outrank their first `limit`.
   */
  forEach(item: number, limit: number, visit: (neighbour: number) => void): void {
    if (item < this.rows) {
      const end = Math.min(this.indptr[item + 1]!, this.indptr[item]! + limit);
      for (let p = this.indptr[item]!; p < end; p++) visit(this.indices[p]!);
    }
    const more = this.added.get(item);
    if (more !== undefined) for (let q = 0; q < Math.min(limit, more.length); q++) visit(more[q]!);
  }

  /** The neighbours as an array (tests, diagnostics). */
  row(item: number, limit = Infinity): number[] {
    const out: number[] = [];
    this.forEach(item, limit, (j) => out.push(j));
    return out;
  }

  add(item: number, neighbour: number): void {
    const list = this.added.get(item);
    if (list === undefined) this.added.set(item, [neighbour]);
    else if (!list.includes(neighbour)) list.push(neighbour);
  }

  /** Rows given as arrays (row i = item i's neighbours, best first). */
  static fromRows(rows: readonly ArrayLike<number>[]): NeighbourLists {
    const indptr = new Int32Array(rows.length + 1);
    rows.forEach((r, i) => {
      indptr[i + 1] = indptr[i]! + r.length;
    });
    const indices = new Int32Array(indptr[rows.length]!);
    rows.forEach((r, i) => indices.set(Array.from(r), indptr[i]!));
    return new NeighbourLists(indptr, indices);
  }

  /** Each item's `m` strongest links of an attribute network (by co-purchase weight, then index). */
  static strongest(net: CsrAdjacency, m: number): NeighbourLists {
    const rows: Int32Array[] = [];
    for (let i = 0; i < net.n; i++) {
      const start = net.indptr[i]!;
      const end = net.indptr[i + 1]!;
      const order = Array.from({ length: end - start }, (_, q) => start + q);
      const weight = (p: number): number => net.weights?.[p] ?? 1;
      order.sort((a, b) => weight(b) - weight(a) || net.indices[a]! - net.indices[b]!);
      rows.push(Int32Array.from(order.slice(0, m), (p) => net.indices[p]!));
    }
    return NeighbourLists.fromRows(rows);
  }
}
