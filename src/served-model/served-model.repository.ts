import { Injectable } from '@nestjs/common';
import { cypherInt, GraphClient } from '../graph/graph-client';
import { kindNames } from '../ingest/import-dataset';
import type { CatalogueSnapshot } from './recommender-engine';

/** Strongest network links kept per item and kind for candidate generation. */
const LINKS_PER_ITEM = 10;

/**
 * Reads the candidate sources of a model being activated (served-model/list-candidate-sources-page):
 * purchases per item and each item's strongest network links, paged by item id, so that memory
 * stays linear in the catalogue (at most LINKS_PER_ITEM ids per item and kind).
 */
@Injectable()
export class ServedModelRepository {
  constructor(private readonly graph: GraphClient) {}

  /** Makes `version` the one every replica serves; returns the version it replaces. */
  async publish(version: string, by: string): Promise<string | null> {
    const [row] = await this.graph.write<{ previous: string | null }>('served-model/publish-version', { version, by });
    return row?.previous ?? null;
  }

  async readPublished(): Promise<string | null> {
    const [row] = await this.graph.read<{ version: string | null }>('served-model/read-published-version');
    return row?.version ?? null;
  }

  async snapshot(kinds: readonly string[], pageSize = 2000): Promise<CatalogueSnapshot> {
    const rels = kinds.map((k) => kindNames(k).rel);
    const purchases = new Map<string, number>();
    const links = new Map(kinds.map((k) => [k, new Map<string, readonly string[]>()]));
    for (let after = ''; ;) {
      const page = await this.graph.read<{ id: string; purchases: number; links: string[][] }>('served-model/list-candidate-sources-page', {
        after,
        limit: cypherInt(pageSize),
        rels,
        perItem: cypherInt(LINKS_PER_ITEM),
      });
      for (const row of page) {
        if (row.purchases > 0) purchases.set(row.id, row.purchases);
        kinds.forEach((kind, k) => {
          const ids = row.links[k] ?? [];
          if (ids.length > 0) links.get(kind)!.set(row.id, ids);
        });
      }
      if (page.length < pageSize) break;
      after = page[page.length - 1]!.id;
    }
    return { purchases, links };
  }
}
