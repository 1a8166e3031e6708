import { Context, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { requestLoader } from '../common/graphql/request-loaders';
import type { ItemDetailRow } from './catalog.repository';
import { CatalogService } from './catalog.service';
import { AttributeValueModel } from './models/attribute-value.model';
import { ItemModel } from './models/item.model';

/** Item fields that need the graph: batched per request, one query for every item of the response. */
@Resolver(() => ItemModel)
export class ItemResolver {
  constructor(private readonly catalog: CatalogService) {}

  @ResolveField(() => [AttributeValueModel], { description: 'Attribute values, by kind, in billing order.' })
  async attributes(@Parent() item: ItemModel, @Context() context: object): Promise<AttributeValueModel[]> {
    const details = await this.details(context).load(item.id);
    return details === null ? [] : details.attributes.map((a) => ({ ...a }));
  }

  @ResolveField(() => Int, { description: 'Users who purchased it.' })
  async purchaseCount(@Parent() item: ItemModel, @Context() context: object): Promise<number> {
    return (await this.details(context).load(item.id))?.purchases ?? 0;
  }

  private details(context: object) {
    return requestLoader<string, ItemDetailRow | null>(context, 'item-details', async (ids) => {
      const rows = new Map((await this.catalog.itemDetails(ids)).map((r) => [r.id, r]));
      return ids.map((id) => rows.get(id) ?? null);
    });
  }
}
