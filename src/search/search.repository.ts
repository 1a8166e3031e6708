import { Injectable } from '@nestjs/common';
import { cypherInt, GraphClient } from '../graph/graph-client';

export interface UserMatch {
  readonly id: string;
  readonly purchases: number;
}

/** The type-ahead lookups: the only code that knows the search queries and their record shapes. */
@Injectable()
export class SearchRepository {
  constructor(private readonly graph: GraphClient) {}

  async usersByPrefix(prefix: string, limit: number): Promise<UserMatch[]> {
    const rows = await this.graph.read<{ id: string; purchases: number }>('search/find-users-by-prefix', { prefix, limit: cypherInt(limit) });
    return rows.map((r) => ({ id: r.id, purchases: r.purchases }));
  }

  /** Item ids, best match first. */
  async itemsByText(text: string, limit: number): Promise<string[]> {
    const rows = await this.graph.read<{ id: string }>('search/find-items-by-text', { text, limit: cypherInt(limit) });
    return rows.map((r) => r.id);
  }
}
