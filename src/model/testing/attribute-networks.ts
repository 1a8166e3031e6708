/**
 * A small in-memory builder of attribute networks (DESIGN section 1) for tests and benchmarks:
 * G_k links items i and j when at least `minSupport` users bought both AND they share a value of
 * attribute k; the weight is the co-purchase count. The production builder works from Neo4j
 * (src/networks); this one exists so that src/model can be tested without it.
 */
import type { CsrAdjacency } from '../graph-data';

export interface AttributeNetworkOptions {
  /** Minimum number of users who bought both items (default 1, as in the paper). */
  readonly minSupport?: number;
}

/**
 * @param userItems training positives per user (sorted item indexes)
 * @param itemValues per kind, per item: the sorted value ids of that attribute (empty when unknown)
 */
export function buildAttributeNetworks(
  numItems: number,
  userItems: readonly Int32Array[],
  kinds: readonly string[],
  itemValues: readonly (readonly Int32Array[])[],
  options: AttributeNetworkOptions = {},
): CsrAdjacency[] {
  const minSupport = options.minSupport ?? 1;
  if (itemValues.length !== kinds.length) {
    throw new Error(`buildAttributeNetworks: expected values for ${kinds.length} kinds, got ${itemValues.length}`);
  }
  // Inverted index item -> users, to count co-purchases one anchor item at a time in O(N) memory.
  const usersOf: number[][] = Array.from({ length: numItems }, () => []);
  userItems.forEach((items, u) => items.forEach((i) => usersOf[i].push(u)));
  const edges = kinds.map(() => ({ a: [] as number[], b: [] as number[], w: [] as number[] }));
  const counts = new Int32Array(numItems);
  const touched: number[] = [];
  for (let a = 0; a < numItems; a++) {
    for (const u of usersOf[a]) {
      for (const b of userItems[u]) {
        if (b <= a) continue;
        if (counts[b] === 0) touched.push(b);
        counts[b]++;
      }
    }
    touched.sort((x, y) => x - y);
    for (const b of touched) {
      if (counts[b] >= minSupport) {
        for (let k = 0; k < kinds.length; k++) {
          if (shareValue(itemValues[k][a], itemValues[k][b])) {
            edges[k].a.push(a);
            edges[k].b.push(b);
            edges[k].w.push(counts[b]);
          }
        }
      }
      counts[b] = 0;
    }
    touched.length = 0;
  }
  return kinds.map((kind, k) => symmetricCsr(kind, numItems, edges[k].a, edges[k].b, edges[k].w));
}

/**
 * Symmetric CSR from upper-triangle edges (a < b) listed in ascending (a, b) order: filling rows
 * in that order leaves every row's columns ascending without a sort.
 */
export function symmetricCsr(kind: string, n: number, a: readonly number[], b: readonly number[], w: readonly number[]): CsrAdjacency {
  const indptr = new Int32Array(n + 1);
  for (let e = 0; e < a.length; e++) {
    indptr[a[e] + 1]++;
    indptr[b[e] + 1]++;
  }
  for (let i = 0; i < n; i++) indptr[i + 1] += indptr[i];
  const fill = indptr.slice(0, n);
  const indices = new Int32Array(indptr[n]);
  const weights = new Float32Array(indptr[n]);
  for (let e = 0; e < a.length; e++) {
    indices[fill[a[e]]] = b[e];
    weights[fill[a[e]]++] = w[e];
    indices[fill[b[e]]] = a[e];
    weights[fill[b[e]]++] = w[e];
  }
  return { kind, n, indptr, indices, weights };
}

function shareValue(x: Int32Array, y: Int32Array): boolean {
  let p = 0;
  let q = 0;
  while (p < x.length && q < y.length) {
    if (x[p] === y[q]) return true;
    if (x[p] < y[q]) p++;
    else q++;
  }
  return false;
}
