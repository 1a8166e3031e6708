/**
 * What an import writes, computed from validated dataset columns before the first write: the
 * items, the attribute values and links of the imported kinds, the kept users with their training
 * positives (PURCHASED) and held-out positives (HELD_OUT), and the attribute networks built in
 * memory (build-networks.ts). Pure; both writers (transactional batches, neo4j-admin bulk import)
 * read the same plan, so they write the same graph.
 */
import type { DatasetColumns } from '../datasets/dataset-columns';
import { buildNetworks, kindValues, type EdgeBuffer, type KindValues } from '../networks/build-networks';
import { buildTrainingSet, type PositiveRows, type UserItemPair } from '../networks/training-set';
import { kindNames } from '../graph/kind-names';

export { kindNames } from '../graph/kind-names';

export interface PlanOptions {
  readonly positiveThreshold: number;
  readonly minHistory: number;
  readonly minSupport: number;
  readonly topM: number | null;
  readonly heldOut?: Iterable<UserItemPair>;
  /** Build the networks in memory (false: the Cypher construction builds them after the writes). */
  readonly networks: boolean;
  readonly onNetworkItems?: (done: number) => void;
}

export interface ImportPlan {
  readonly kinds: readonly string[];
  readonly columns: DatasetColumns;
  /** Column indexes of the values of the imported kinds, and their links. */
  readonly values: Int32Array;
  readonly links: Int32Array;
  /** Model item order (training sets and networks index items this way). */
  readonly itemIds: readonly string[];
  readonly userIds: readonly string[];
  readonly training: PositiveRows;
  readonly heldOut: PositiveRows;
  readonly positives: number;
  readonly usersDropped: number;
  /** Per kind, in `kinds` order; null when the networks are left to Cypher. */
  readonly networks: readonly NetworkPlan[] | null;
}

export interface NetworkPlan {
  readonly kind: string;
  readonly rel: string;
  readonly edges: EdgeBuffer;
  readonly values: KindValues;
}

export function planImport(columns: DatasetColumns, kinds: readonly string[], opts: PlanOptions): ImportPlan {
  kinds.forEach(kindNames);
  const kindSet = new Set(kinds);
  const values: number[] = [];
  for (let v = 0; v < columns.values.uids.length; v++) if (kindSet.has(columns.values.kinds[v])) values.push(v);
  const links: number[] = [];
  for (let l = 0; l < columns.links.item.length; l++) if (kindSet.has(columns.values.kinds[columns.links.value[l]])) links.push(l);

  const set = buildTrainingSet(columns, opts);
  let networks: NetworkPlan[] | null = null;
  if (opts.networks) {
    const perKind = kindValues(columns, set.itemOrder, kinds);
    const built = buildNetworks(set.training, set.itemIds, perKind, opts, { onItems: opts.onNetworkItems });
    networks = kinds.map((kind, k) => ({ kind, rel: kindNames(kind).rel, edges: built.kinds[k], values: perKind[k] }));
  }
  return {
    kinds,
    columns,
    values: Int32Array.from(values),
    links: Int32Array.from(links),
    itemIds: set.itemIds,
    userIds: set.userIds,
    training: set.training,
    heldOut: set.heldOut,
    positives: set.stats.positives,
    usersDropped: set.stats.usersTotal - set.stats.usersKept,
    networks,
  };
}

/** An item's attribute uids, sorted by code units (the `attrs` property the Cypher queries intersect). */
export function itemAttrs(plan: ImportPlan): string[][] {
  const attrs: string[][] = plan.columns.items.ids.map(() => []);
  for (const l of plan.links) attrs[plan.columns.links.item[l]].push(plan.columns.values.uids[plan.columns.links.value[l]]);
  for (const list of attrs) list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return attrs;
}

/**
 * An edge's endpoints as stored: from the smaller id to the larger by code units (Cypher's string
 * order), the convention of the Cypher construction, whatever the model's item order.
 */
export function storedEndpoints(itemIds: readonly string[], a: number, b: number): [string, string] {
  const x = itemIds[a];
  const y = itemIds[b];
  return x < y ? [x, y] : [y, x];
}

export function viaIds(network: NetworkPlan, e: number): string[] {
  const { edges, values } = network;
  const out: string[] = [];
  for (let p = edges.viaPtr[e]; p < edges.viaPtr[e + 1]; p++) out.push(values.valueIds[edges.via[p]]);
  return out;
}

/** Nodes and relationships the plan writes (network edges included when built in memory). */
export function planRows(plan: ImportPlan): number {
  const edges = plan.networks?.reduce((n, net) => n + net.edges.length, 0) ?? 0;
  return (
    plan.columns.items.ids.length + plan.values.length + plan.userIds.length + plan.links.length + plan.training.item.length + plan.heldOut.item.length + edges
  );
}

export function edgeCounts(plan: ImportPlan): Record<string, number> {
  return Object.fromEntries(plan.kinds.map((k, i) => [k, plan.networks?.[i]?.edges.length ?? 0]));
}
