import { cypherInt, type GraphClient } from '../graph/graph-client';

/** The only code that knows the import/network/stat query names and their record shapes. */

export interface ItemRow {
  readonly id: string;
  readonly title: string;
  readonly year: number | null;
}

export interface AttributeValueRow {
  readonly uid: string;
  readonly kind: string;
  readonly id: string;
  readonly name: string;
  readonly label: string;
}

export interface ItemAttributeRow {
  readonly item: string;
  readonly uid: string;
  readonly rel: string;
  readonly rank: number | null;
}

export interface PurchaseRow {
  readonly user: string;
  readonly item: string;
  readonly rating: number;
  readonly at: number | null;
}

export interface UserPurchases {
  readonly id: string;
  readonly purchased: ReadonlyArray<{ readonly item: string; readonly rating: number; readonly at: number | null }>;
}

export interface NetworkEdgeRow {
  /** The smaller item id (code-unit order); edges point from a to b. */
  readonly a: string;
  readonly b: string;
  readonly weight: number;
  readonly via: readonly string[];
}

export interface NetworkKindParam {
  readonly prefix: string;
  readonly rel: string;
}

export interface DatasetMeta {
  readonly source: string;
  readonly kinds: string[];
  readonly positiveThreshold: number;
  readonly minHistory: number;
  readonly minSupport: number;
  readonly topM: number | null;
  /** How the graph was written: `transactional` batches or the neo4j-admin `bulk` importer. */
  readonly writer: string | null;
  readonly importedAt: string | null;
}

export interface LabelCount {
  readonly label: string;
  readonly count: number;
}

export interface TypeCount {
  readonly type: string;
  readonly count: number;
}

const SCHEMA_QUERIES = [
  'schema/01-user-id-unique',
  'schema/02-item-id-unique',
  'schema/03-attribute-uid-unique',
  'schema/04-attribute-kind-index',
  'schema/05-meta-key-unique',
  'schema/06-change-seq-unique',
] as const;

export class IngestRepository {
  constructor(private readonly graph: GraphClient) {}

  /** The explicit migration step: constraints and indexes, before any data. */
  async migrate(): Promise<string[]> {
    for (const name of SCHEMA_QUERIES) await this.graph.autoCommit(name);
    await this.graph.autoCommit('schema/await-indexes');
    return [...SCHEMA_QUERIES];
  }

  async mergeItems(rows: readonly ItemRow[]): Promise<void> {
    await this.graph.write('ingest/merge-items', { rows });
  }

  /** Attribute values alone (MERGE on uid): a value may serve links of several batches. */
  async mergeAttributeValues(values: readonly AttributeValueRow[]): Promise<void> {
    await this.graph.write('ingest/merge-attribute-values', { rows: values });
  }

  /** Item links and the linked items' `attrs` cache of one batch land together or not at all. */
  async linkAttributes(links: readonly ItemAttributeRow[]): Promise<void> {
    const ids = [...new Set(links.map((l) => l.item))];
    await this.graph.writeAll([
      { name: 'ingest/link-item-attributes', params: { rows: links } },
      { name: 'ingest/refresh-item-attribute-keys', params: { ids } },
    ]);
  }

  /** Users with their training purchases, and their held-out pairs, of one batch in one transaction. */
  async mergeUsersAndPurchases(users: readonly UserPurchases[], heldOut: readonly PurchaseRow[]): Promise<void> {
    await this.graph.writeAll([
      { name: 'ingest/merge-user-purchases', params: { users } },
      { name: 'ingest/merge-held-out', params: { rows: heldOut } },
    ]);
  }

  /** Edges of one network built in memory (after deleteNetworkEdges for the same type). */
  async createNetworkEdges(rel: string, rows: readonly NetworkEdgeRow[]): Promise<void> {
    await this.graph.write('networks/create-network-edges', { rel, rows });
  }

  async isEmpty(): Promise<boolean> {
    const rows = await this.graph.read<{ any: boolean }>('stats/any-node');
    return !(rows[0]?.any ?? false);
  }

  async deleteNetworkEdges(relTypes: readonly string[]): Promise<void> {
    await this.graph.autoCommit('networks/delete-network-edges', { types: relTypes });
  }

  async buildNetworkEdges(itemIds: readonly string[], kinds: readonly NetworkKindParam[], minSupport: number): Promise<Map<string, number>> {
    const rows = await this.graph.write<{ rel: string; edges: number }>('networks/build-network-edges', {
      itemIds,
      kinds,
      minSupport,
    });
    return new Map(rows.map((r) => [r.rel, r.edges]));
  }

  async markTopM(itemIds: readonly string[], rel: string, topM: number): Promise<void> {
    await this.graph.write('networks/mark-top-m', { itemIds, rel, topM: cypherInt(topM) });
  }

  async pruneUnmarked(itemIds: readonly string[], rel: string): Promise<void> {
    await this.graph.write('networks/prune-unmarked', { itemIds, rel });
  }

  async writeMeta(meta: Omit<DatasetMeta, 'importedAt'>): Promise<void> {
    await this.graph.write('ingest/merge-dataset-meta', { ...meta });
  }

  async readMeta(): Promise<DatasetMeta | null> {
    const rows = await this.graph.read<{
      source: string;
      kinds: string[];
      positiveThreshold: number;
      minHistory: number;
      minSupport: number;
      topM: number | null;
      writer: string | null;
      importedAt: string | null;
    }>('ingest/read-dataset-meta');
    const row = rows[0];
    return row === undefined ? null : { ...row, kinds: [...row.kinds] };
  }

  async countNodes(): Promise<LabelCount[]> {
    return this.graph.read<{ label: string; count: number }>('stats/count-nodes');
  }

  async countRelationships(): Promise<TypeCount[]> {
    return this.graph.read<{ type: string; count: number }>('stats/count-relationships');
  }

  async deleteAll(): Promise<void> {
    await this.graph.autoCommit('stats/delete-all-relationships');
    await this.graph.autoCommit('stats/delete-all-nodes');
  }
}
