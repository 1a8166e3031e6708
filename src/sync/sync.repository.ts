import { Injectable } from '@nestjs/common';
import { cypherInt, GraphClient } from '../graph/graph-client';
import type { Change, ChangeKind } from './change-log';

export interface FeedPage {
  readonly head: number;
  readonly modelVersion: string | null;
  readonly importedAt: string | null;
  readonly users: number;
  readonly purchases: number;
  readonly changes: readonly Change[];
}

@Injectable()
export class SyncRepository {
  constructor(private readonly graph: GraphClient) {}

  async read(after: number, limit: number): Promise<FeedPage> {
    const [row] = await this.graph.read<{
      head: number;
      modelVersion: string | null;
      importedAt: string | null;
      users: number;
      purchases: number;
      changes: Array<{ seq: number; kind: string; key: string; at: number }>;
    }>('sync/read-changes', { after, limit: cypherInt(limit) });
    if (row === undefined) throw new Error('sync/read-changes returned no row');
    return {
      head: row.head,
      modelVersion: row.modelVersion ?? null,
      importedAt: row.importedAt ?? null,
      users: row.users,
      purchases: row.purchases,
      changes: row.changes.map((c) => ({ seq: c.seq, kind: c.kind as ChangeKind, key: c.key, at: c.at })),
    };
  }
}
