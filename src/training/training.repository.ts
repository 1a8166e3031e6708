import { cypherInt, type GraphClient } from '../graph/graph-client';
import { kindNames } from '../ingest/import-dataset';
import type { CsrAdjacency, GraphData } from '../model/graph-data';
import { silentProgress, type ProgressSink } from '../common/logging/progress';

/**
 * Extracts the model's training input from Neo4j with the Cypher files in cypher/training:
 * items, users with their PURCHASED items (R_u, never HELD_OUT) and each attribute network as a
 * symmetric CSR. Everything is paged by id so no query returns the whole graph at once.
 */
export interface ExtractOptions {
  readonly kinds: readonly string[];
  readonly pageSize?: number;
  readonly progress?: ProgressSink;
}

export interface ExtractedItem {
  readonly id: string;
  readonly title: string;
  readonly year: number | null;
}

export interface ExtractedGraph {
  readonly data: GraphData;
  readonly items: readonly ExtractedItem[];
}

/** What the served model records about its training data (from the :Meta node of the import). */
export interface TrainingDataset {
  readonly source: string;
  readonly kinds: readonly string[];
}

export class TrainingRepository {
  constructor(private readonly graph: GraphClient) {}

  async readDataset(): Promise<TrainingDataset | null> {
    const rows = await this.graph.read<{ source: string; kinds: string[] }>('ingest/read-dataset-meta');
    const row = rows[0];
    return row === undefined ? null : { source: row.source, kinds: [...row.kinds] };
  }

  async extract(options: ExtractOptions): Promise<ExtractedGraph> {
    const pageSize = options.pageSize ?? 2000;
    const progress = options.progress ?? silentProgress;

    const items: ExtractedItem[] = [];
    for (let after = ''; ;) {
      const page = await this.graph.read<{ id: string; title: string | null; year: number | null }>('training/list-items-page', {
        after,
        limit: cypherInt(pageSize),
      });
      for (const r of page) items.push({ id: r.id, title: r.title ?? r.id, year: r.year ?? null });
      if (page.length < pageSize) break;
      after = page[page.length - 1]!.id;
    }
    const itemIndex = new Map(items.map((it, i) => [it.id, i]));

    const userIds: string[] = [];
    const userItems: Int32Array[] = [];
    for (let after = ''; ;) {
      const page = await this.graph.read<{ user: string; items: string[] }>('training/list-users-positives', {
        after,
        limit: cypherInt(pageSize),
      });
      for (const r of page) {
        userIds.push(r.user);
        const idx = r.items.map((id) => itemIndex.get(id)).filter((x): x is number => x !== undefined);
        userItems.push(Int32Array.from(idx).sort());
      }
      if (page.length < pageSize) break;
      after = page[page.length - 1]!.user;
    }

    const networks: CsrAdjacency[] = [];
    const itemPage = Math.max(50, Math.floor(pageSize / 4));
    for (const kind of options.kinds) {
      const rel = kindNames(kind).rel;
      progress.start(`extract ${kind}`, items.length, 'items');
      const a: number[] = [];
      const b: number[] = [];
      const w: number[] = [];
      for (let s = 0; s < items.length; s += itemPage) {
        const after = s === 0 ? '' : items[s - 1]!.id;
        const rows = await this.graph.read<{ a: string; bs: string[]; weights: number[] }>('training/list-network-edges', {
          after,
          limit: cypherInt(itemPage),
          rel,
        });
        for (const row of rows) {
          const ia = itemIndex.get(row.a);
          if (ia === undefined) continue;
          row.bs.forEach((id, e) => {
            const ib = itemIndex.get(id);
            if (ib === undefined) return;
            a.push(ia);
            b.push(ib);
            w.push(row.weights[e]!);
          });
        }
        progress.tick(Math.min(s + itemPage, items.length), { edges: a.length });
      }
      progress.finish({ edges: a.length });
      networks.push(toSymmetricCsr(kind, items.length, a, b, w));
    }
    return { data: { itemIds: items.map((i) => i.id), userIds, networks, userItems }, items };
  }
}

/** Undirected edge list (each edge once) to a symmetric CSR with sorted rows. */
export function toSymmetricCsr(kind: string, n: number, a: readonly number[], b: readonly number[], w: readonly number[]): CsrAdjacency {
  const degree = new Int32Array(n + 1);
  for (let e = 0; e < a.length; e++) {
    degree[a[e]! + 1]!++;
    degree[b[e]! + 1]!++;
  }
  const indptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) indptr[i + 1] = indptr[i]! + degree[i + 1]!;
  const fill = indptr.slice(0, n);
  const indices = new Int32Array(indptr[n]!);
  const weights = new Float32Array(indptr[n]!);
  for (let e = 0; e < a.length; e++) {
    const x = a[e]!;
    const y = b[e]!;
    indices[fill[x]!] = y;
    weights[fill[x]!++] = w[e]!;
    indices[fill[y]!] = x;
    weights[fill[y]!++] = w[e]!;
  }
  for (let i = 0; i < n; i++) {
    const start = indptr[i]!;
    const end = indptr[i + 1]!;
    const order = Array.from({ length: end - start }, (_, k) => start + k).sort((p, q) => indices[p]! - indices[q]!);
    const idx = order.map((p) => indices[p]!);
    const wt = order.map((p) => weights[p]!);
    indices.set(idx, start);
    weights.set(wt, start);
  }
  return { kind, n, indptr, indices, weights };
}
