/**
 * Datasets for the training benchmark: the generic CSV layout (src/datasets) or the synthetic
 * movie world, turned into GraphData by the reference network builder (src/networks) with one
 * positive per user held out (the latest by timestamp, else seeded random) and excluded from the
 * networks. Licensed data is read by path and never copied.
 */
import { openCsvDataset } from '../src/datasets/csv-dataset';
import { collectDataset, CollectedDataset } from '../src/datasets/collect-dataset';
import { generateMovieWorld, generateWorldTables, scaledWorldOptions, worldTablesSource } from '../src/datasets/synthetic';
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
  /** Items held out with all their interactions (cold-start protocol, paper 5.2). */
  readonly coldItems: readonly ColdItem[];
}

export interface ColdItem {
  readonly item: number;
  /** Per kind: the existing items sharing a value of that kind (the new node's links in G_k). */
  readonly links: readonly Int32Array[];
  /** Graph user indexes of the users who really bought it (rating > 3). */
  readonly buyers: Int32Array;
}

export type DatasetSpec =
  | { readonly kind: 'csv'; readonly dir: string }
  | {
      readonly kind: 'synthetic';
      readonly users: number;
      readonly items: number;
      readonly purchasesPerUser?: readonly [number, number];
      readonly seed: number;
      /** The catalogue-scale world (scaledWorldOptions: the one bench:scale and `import --format synthetic` use). */
      readonly scaled?: boolean;
    };

export interface NetworkLimits {
  /** Keep an edge only if it is among the top M (by co-purchase count) of either endpoint. */
  readonly topM?: number;
  readonly minSupport?: number;
}

export async function loadBenchDataset(spec: DatasetSpec, seed: number, limits: NetworkLimits = {}, coldItemCount = 0): Promise<BenchDataset> {
  const started = Date.now();
  const collected: CollectedDataset =
    spec.kind === 'csv'
      ? await collectDataset(await openCsvDataset(spec.dir))
      : spec.scaled
        ? await collectDataset(worldTablesSource(generateWorldTables(scaledWorldOptions({ items: spec.items, users: spec.users, seed: spec.seed }))))
        : {
            name: 'synthetic',
            kinds: ['actor', 'director', 'genre'],
            ...generateMovieWorld({
              users: spec.users,
              items: spec.items,
              seed: spec.seed,
              ...(spec.purchasesPerUser ? { purchasesPerUser: spec.purchasesPerUser } : {}),
            }),
          };
  const cold = chooseColdItems(collected, coldItemCount, seed);
  const interactions = cold.size === 0 ? collected.interactions : collected.interactions.filter((r) => !cold.has(r.item));
  const { pairs, byTimestamp } = holdOutLatestPositive({ ...collected, interactions }, seed);
  const built = buildAttributeNetworks(
    { items: collected.items, attributes: collected.attributes, interactions },
    { heldOut: pairs, kinds: [...collected.kinds].sort(), topM: limits.topM, minSupport: limits.minSupport },
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
    coldItems: describeColdItems(collected, cold, itemIndex, userIndex, [...collected.kinds].sort()),
  };
}

/** Seeded choice of items with at least 5 positive buyers and some attribute; id -> buyer ids. */
function chooseColdItems(data: CollectedDataset, count: number, seed: number): Map<string, string[]> {
  const chosen = new Map<string, string[]>();
  if (count <= 0) return chosen;
  const buyers = new Map<string, Set<string>>();
  const last = new Map<string, number>();
  for (const r of data.interactions) last.set(`${r.user}\u0000${r.item}`, r.rating);
  for (const [key, rating] of last) {
    if (!(rating > 3)) continue;
    const [user, item] = key.split('\u0000');
    const set = buyers.get(item) ?? new Set<string>();
    set.add(user);
    buyers.set(item, set);
  }
  const withAttributes = new Set(data.attributes.map((a) => a.item));
  const candidates = [...buyers.entries()]
    .filter(([item, users]) => users.size >= 5 && withAttributes.has(item))
    .map(([item]) => item)
    .sort();
  const rng = new Rng(seed + 17);
  rng
    .shuffle(Int32Array.from(candidates.keys()))
    .slice(0, count)
    .forEach((c) => chosen.set(candidates[c], [...(buyers.get(candidates[c]) ?? [])]));
  return chosen;
}

function describeColdItems(
  data: CollectedDataset,
  cold: Map<string, string[]>,
  itemIndex: ReadonlyMap<string, number>,
  userIndex: ReadonlyMap<string, number>,
  kinds: readonly string[],
): ColdItem[] {
  if (cold.size === 0) return [];
  // kind -> value -> items carrying it
  const carriers = kinds.map(() => new Map<string, Set<number>>());
  const valuesOf = new Map<string, Array<Set<string>>>();
  for (const a of data.attributes) {
    const k = kinds.indexOf(a.kind);
    const i = itemIndex.get(a.item);
    if (k < 0 || i === undefined) continue;
    const set = carriers[k].get(a.value) ?? new Set<number>();
    set.add(i);
    carriers[k].set(a.value, set);
    const own = valuesOf.get(a.item) ?? kinds.map(() => new Set<string>());
    own[k].add(a.value);
    valuesOf.set(a.item, own);
  }
  const coldIndexes = new Set([...cold.keys()].map((id) => itemIndex.get(id)));
  const out: ColdItem[] = [];
  for (const [id, buyerIds] of cold) {
    const item = itemIndex.get(id);
    if (item === undefined) continue;
    const own = valuesOf.get(id) ?? kinds.map(() => new Set<string>());
    const links = kinds.map((_, k) => {
      const linked = new Set<number>();
      for (const v of own[k]) for (const j of carriers[k].get(v) ?? []) if (!coldIndexes.has(j)) linked.add(j);
      return Int32Array.from(linked).sort();
    });
    const buyers = Int32Array.from(buyerIds.map((u) => userIndex.get(u)).filter((u): u is number => u !== undefined)).sort();
    if (buyers.length > 0) out.push({ item, links, buyers });
  }
  return out;
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
