import { Injectable } from '@nestjs/common';
import { cypherInt, GraphClient, GraphError } from '../graph/graph-client';
import { kindNames } from '../ingest/import-dataset';
import { changeStep, seqOf } from '../sync/change-log';
import type { StoredUser } from './user-cache';

/** The only code that knows the catalog's query names and record shapes; plain domain types leave it. */
export interface DirectoryItemRow {
  readonly id: string;
  readonly title: string;
  readonly year: number | null;
  readonly hidden: boolean;
  readonly coldStart: boolean;
  /** Attribute uids (`actor:johnny-depp`). */
  readonly attrs: readonly string[];
}

export interface AttributeValueRow {
  readonly uid: string;
  readonly kind: string;
  readonly id: string;
  readonly name: string;
}

export interface HistoryRow {
  readonly user: string;
  readonly rev: number;
  readonly purchased: readonly string[];
  readonly other: readonly string[];
}

/** An item with its attribute values, as a change-log refresh reads it. */
export interface RefreshedItemRow extends DirectoryItemRow {
  readonly values: readonly AttributeValueRow[];
}

/** A committed write: its change-log sequence number, and whether it created the user. */
export interface UserWrite {
  readonly seq: number;
  readonly newUser: boolean;
}

export interface ItemAttributeDetail {
  readonly kind: string;
  readonly id: string;
  readonly name: string;
  readonly rank: number | null;
}

export interface ItemDetailRow {
  readonly id: string;
  readonly title: string;
  readonly year: number | null;
  readonly hidden: boolean;
  readonly coldStart: boolean;
  readonly attributes: readonly ItemAttributeDetail[];
  readonly purchases: number;
}

export interface PurchaseDetail {
  readonly itemId: string;
  readonly rating: number;
  readonly at: number | null;
}

export interface UserDetailRow {
  readonly id: string;
  readonly purchases: readonly PurchaseDetail[];
  readonly heldOut: number;
}

export interface DatasetInfo {
  readonly source: string;
  readonly kinds: readonly string[];
  readonly positiveThreshold: number;
  readonly minSupport: number;
}

export interface NewItemValue {
  readonly kind: string;
  readonly value: string;
  readonly name: string;
  readonly rank: number | null;
}

export interface NewItem {
  readonly id: string;
  readonly title: string;
  readonly year: number | null;
  readonly values: readonly NewItemValue[];
}

/** Thrown by `createItem` when the id exists (mapped from the constraint error's code). */
export class ItemExistsError extends Error {
  constructor(readonly itemId: string) {
    super(`item ${itemId} already exists`);
  }
}

const CONSTRAINT_FAILED = 'Neo.ClientError.Schema.ConstraintValidationFailed';

function createdUser(rows: ReadonlyArray<{ created?: unknown }> | undefined): boolean {
  return rows?.[0]?.created === true;
}

@Injectable()
export class CatalogRepository {
  constructor(private readonly graph: GraphClient) {}

  async readDataset(): Promise<DatasetInfo | null> {
    const rows = await this.graph.read<{ source: string; kinds: string[]; positiveThreshold: number | null; minSupport: number | null }>(
      'ingest/read-dataset-meta',
    );
    const row = rows[0];
    if (row === undefined) return null;
    return { source: row.source, kinds: [...row.kinds], positiveThreshold: row.positiveThreshold ?? 3, minSupport: row.minSupport ?? 1 };
  }

  async listItemsPage(after: string, limit: number): Promise<DirectoryItemRow[]> {
    return this.graph.read<{ id: string; title: string; year: number | null; hidden: boolean; coldStart: boolean; attrs: string[] }>(
      'catalog/list-items-page',
      { after, limit: cypherInt(limit) },
    );
  }

  async listAttributeValues(): Promise<AttributeValueRow[]> {
    return this.graph.read<{ uid: string; kind: string; id: string; name: string }>('catalog/list-attribute-values');
  }

  async listHistoriesPage(after: string, limit: number): Promise<HistoryRow[]> {
    return this.graph.read<{ user: string; rev: number; purchased: string[]; other: string[] }>('catalog/list-user-histories-page', {
      after,
      limit: cypherInt(limit),
    });
  }

  async readUser(userId: string): Promise<StoredUser | null> {
    // Auto-commit: the first request of every user not cached waits on this read, and one
    // statement needs no BEGIN/COMMIT (about 1 ms less per cold request than a managed transaction).
    const [row] = await this.graph.autoCommitRead<{ rev: number; purchased: string[]; other: string[] }>('catalog/read-user-history', { userId });
    return row === undefined ? null : { rev: row.rev, purchased: row.purchased, other: row.other };
  }

  async listItemsById(ids: readonly string[]): Promise<RefreshedItemRow[]> {
    return this.graph.read<{
      id: string;
      title: string;
      year: number | null;
      hidden: boolean;
      coldStart: boolean;
      attrs: string[];
      values: Array<{ uid: string; kind: string; id: string; name: string }>;
    }>('catalog/list-items-by-id', { ids });
  }

  async findItems(ids: readonly string[]): Promise<ItemDetailRow[]> {
    const rows = await this.graph.read<{
      id: string;
      title: string;
      year: number | null;
      hidden: boolean;
      coldStart: boolean;
      attributes: Array<{ kind: string; id: string; name: string; rank: number | null }>;
      purchases: number;
    }>('catalog/find-items', { ids });
    return rows.map((r) => ({ ...r, attributes: r.attributes.map((a) => ({ ...a, rank: a.rank ?? null })) }));
  }

  async findUser(userId: string): Promise<UserDetailRow | null> {
    const rows = await this.graph.read<{
      id: string;
      purchases: Array<{ itemId: string; rating: number | null; at: number | null }>;
      heldOut: number;
    }>('catalog/find-user', { userId });
    const row = rows[0];
    if (row === undefined) return null;
    return { ...row, purchases: row.purchases.map((p) => ({ itemId: p.itemId, rating: p.rating ?? 0, at: p.at ?? null })) };
  }

  /**
   * A positive purchase and its attribute-network updates in ONE transaction: the user's lock
   * (created on their first write), the locks of the item pairs whose edges it may touch, the
   * network edges (a no-op when the purchase already exists), then the PURCHASED relationship.
   * Under those locks concurrent identical purchases leave one user, one PURCHASED and one edge
   * per pair and network. The change-log entry comes last (other replicas drop the user's history).
   */
  async recordPurchase(userId: string, itemId: string, rating: number, at: number, kinds: readonly string[], minSupport: number): Promise<UserWrite> {
    const kindParams = kinds.map((k) => ({ prefix: `${k}:`, rel: kindNames(k).rel }));
    const results = await this.graph.writeAll([
      { name: 'catalog/lock-user', params: { userId } },
      { name: 'catalog/lock-network-pairs', params: { userId, itemId } },
      { name: 'catalog/bump-network-edges', params: { userId, itemId, minSupport, kinds: kindParams } },
      { name: 'catalog/merge-purchase', params: { userId, itemId, rating, at } },
      changeStep('user', userId),
    ]);
    return { seq: seqOf(results), newUser: createdUser(results[0]) };
  }

  /** A non-positive rating, under the user's lock, with its change-log entry. */
  async recordRating(userId: string, itemId: string, rating: number, at: number): Promise<UserWrite> {
    const results = await this.graph.writeAll([
      { name: 'catalog/lock-user', params: { userId } },
      { name: 'catalog/merge-rating', params: { userId, itemId, rating, at } },
      changeStep('user', userId),
    ]);
    return { seq: seqOf(results), newUser: createdUser(results[0]) };
  }

  /**
   * A cold-start item in ONE transaction: the node, its attribute values and links, its `attrs`
   * cache, and its edges in every attribute network of `kinds`.
   */
  async createItem(item: NewItem, kinds: readonly string[]): Promise<void> {
    const values = item.values.map((v) => ({
      uid: `${v.kind}:${v.value}`,
      kind: v.kind,
      id: v.value,
      name: v.name,
      label: kindNames(v.kind).label,
    }));
    const links = item.values.map((v) => ({ item: item.id, uid: `${v.kind}:${v.value}`, rel: kindNames(v.kind).has, rank: v.rank }));
    try {
      await this.graph.writeAll([
        { name: 'catalog/create-item', params: { id: item.id, title: item.title, year: item.year } },
        { name: 'catalog/merge-attribute-values', params: { rows: values } },
        { name: 'ingest/link-item-attributes', params: { rows: links } },
        { name: 'ingest/refresh-item-attribute-keys', params: { ids: [item.id] } },
        {
          name: 'catalog/link-cold-item-networks',
          params: { itemId: item.id, kinds: kinds.map((k) => ({ has: kindNames(k).has, rel: kindNames(k).rel })) },
        },
        changeStep('item', item.id),
      ]);
    } catch (error) {
      if (error instanceof GraphError && error.code === CONSTRAINT_FAILED) throw new ItemExistsError(item.id);
      throw error;
    }
  }

  /** Per item: its neighbours in each attribute network, by kind. */
  async networkNeighbours(itemIds: readonly string[], kinds: readonly string[]): Promise<Map<string, Map<string, string[]>>> {
    const relToKind = new Map(kinds.map((k) => [kindNames(k).rel, k]));
    const rows = await this.graph.read<{ id: string; links: Array<{ rel: string; id: string }> }>('catalog/list-network-links', {
      ids: itemIds,
      rels: [...relToKind.keys()],
    });
    const out = new Map<string, Map<string, string[]>>();
    for (const row of rows) {
      const perKind = new Map<string, string[]>(kinds.map((k) => [k, []]));
      for (const link of row.links) perKind.get(relToKind.get(link.rel) ?? '')?.push(link.id);
      out.set(row.id, perKind);
    }
    return out;
  }

  /** Hides or shows an item, with its change-log entry; false when there is no such item. */
  async setHidden(itemId: string, hidden: boolean): Promise<boolean> {
    const [rows] = await this.graph.writeAll([{ name: 'catalog/set-item-hidden', params: { itemId, hidden } }, changeStep('item', itemId)]);
    return (rows?.length ?? 0) > 0;
  }

  async listUserIds(limit: number): Promise<string[]> {
    const rows = await this.graph.read<{ id: string }>('catalog/list-user-ids', { limit: cypherInt(limit) });
    return rows.map((r) => r.id);
  }
}
