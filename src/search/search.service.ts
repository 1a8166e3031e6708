import { Injectable } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service';
import type { DirectoryItem } from '../catalog/item-directory';
import { SearchRepository, type UserMatch } from './search.repository';

/** Finding users and items by what a person types (the explorer's type-ahead boxes). */
@Injectable()
export class SearchService {
  constructor(
    private readonly repo: SearchRepository,
    private readonly catalog: CatalogService,
  ) {}

  users(prefix: string, limit: number): Promise<UserMatch[]> {
    return this.repo.usersByPrefix(prefix.trim(), limit);
  }

  /** Matches from the graph, described from the in-memory catalogue (hidden and cold-start flags). */
  async items(text: string, limit: number): Promise<DirectoryItem[]> {
    const ids = await this.repo.itemsByText(text.trim(), limit);
    return ids.flatMap((id) => {
      const item = this.catalog.findItem(id);
      return item === undefined ? [] : [item];
    });
  }
}
