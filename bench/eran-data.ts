/**
 * Datasets for the training benchmark: the generic CSV layout (src/datasets) or the synthetic
 * movie world, turned into GraphData by the reference network builder (src/networks) with one
 * positive per user held out (the latest by timestamp, else seeded random) and excluded from the
 * networks. Licensed data is read by path and never copied.
 */
import { openCsvDataset } from '../src/datasets/csv-dataset';
import { collectDataset, CollectedDataset } from '../src/datasets/collect-dataset';
import { generateMovieWorld } from '../src/datasets/synthetic';
import type { GraphData } from '../src/model/graph-data';
import { Rng } from '../src/model/rng';
import { buildAttributeNetworks, NetworkStats, UserItemPair } from '../src/networks/build-networks';

export interface BenchDataset {
  readonly name: string;
  readonly graph: GraphData;
  /** Per graph user: the held-out item index, or -1. */
  readonly heldOut: Int32Array;
  readonly stats: NetworkStats;
  readonly heldOutByTimestamp: number;
  readonly buildSeconds: number;
}

export type DatasetSpec = { readonly kind: 'csv'; readonly dir: string } | { readonly kind: 'synthetic'; readonly users: number; readonly items: number; readonly seed: number };

export async function loadBenchDataset(spec: DatasetSpec, seed: number): Promise<BenchDataset> {
  const started = Date.now();
  const collected: CollectedDataset =
    spec.kind === 'csv'
      ? await collectDataset(await openCsvDataset(spec.dir))
      : { name: 'synthetic', kinds: ['actor', 'director', 'genre'], ...generateMovieWorld({ users: spec.users, items: spec.items, seed: spec.seed }) };
  const { pairs, byTimestamp } = holdOutLatestPositive(collected, seed);
  const built = buildAttributeNetworks(
    { items: collected.items, attributes: collected.attributes, interactions: collected.interactions },
    { heldOut: pairs, kinds: [...collected.kinds].sort() },
  );
  const userIndex = new Map(built.graph.userIds.map((id, u) => [id, u]));
  const itemIndex = new Map(built.graph.itemIds.map((id, i) => [id, i]));
  const heldOut = new Int32Array(built.graph.userIds.length).fill(-1);
  for (const p of pairs) {
    const u = userIndex.get(p.user);
    const i = itemIndex.get(p.item);
    if (u !== undefined && i !== undefined) heldOut[u] = i;
  }
  return {
    name: spec.kind === 'csv' ? `csv:${spec.dir}` : `synthetic(${spec.users} users, ${spec.items} items)`,
    graph: built.graph,
    heldOut,
    stats: built.stats,
    heldOutByTimestamp: byTimestamp,
    buildSeconds: (Date.now() - started) / 1000,
  };
}

/** Per user with >= 5 positives (rating > 3, last rating of a pair wins): the latest positive. */
function holdOutLatestPositive(data: CollectedDataset, seed: number): { pairs: UserItemPair[]; byTimestamp: number } {
  const last = new Map<string, { rating: number; timestamp?: number }>();
  for (const r of data.interactions) last.set(`${r.user}\u0000${r.item}`, { rating: r.rating, timestamp: r.timestamp });
  const positives = new Map<string, Array<{ item: string; timestamp?: number }>>();
  for (const [key, v] of last) {
    if (!(v.rating > 3)) continue;
    const [user, item] = key.split('\u0000');
    const list = positives.get(user) ?? [];
    list.push({ item, timestamp: v.timestamp });
    positives.set(user, list);
  }
  const rng = new Rng(seed);
  const pairs: UserItemPair[] = [];
  let byTimestamp = 0;
  for (const user of [...positives.keys()].sort()) {
    const list = positives.get(user) ?? [];
    if (list.length < 5) continue;
    list.sort((a, b) => (a.item < b.item ? -1 : 1));
    const stamped = list.every((p) => p.timestamp !== undefined);
    let pick: { item: string };
    if (stamped) {
      const latest = Math.max(...list.map((p) => p.timestamp ?? 0));
      const ties = list.filter((p) => p.timestamp === latest);
      pick = ties[rng.int(ties.length)];
      byTimestamp++;
    } else {
      pick = list[rng.int(list.length)];
    }
    pairs.push({ user, item: pick.item });
  }
  return { pairs, byTimestamp };
}
