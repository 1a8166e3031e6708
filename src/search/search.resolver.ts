import { Args, Query, Resolver } from '@nestjs/graphql';
import { toItemModel } from '../catalog/catalog.mappers';
import { ItemModel } from '../catalog/models/item.model';
import { SearchItemsArgs, SearchUsersArgs } from './dto/search.args';
import { UserSummaryModel } from './models/user-summary.model';
import { SearchService } from './search.service';

/** Read-only lookups for type-ahead boxes. */
@Resolver()
export class SearchResolver {
  constructor(private readonly search: SearchService) {}

  @Query(() => [UserSummaryModel], { description: 'Users whose id starts with a prefix, shortest ids first.' })
  async searchUsers(@Args() args: SearchUsersArgs): Promise<UserSummaryModel[]> {
    return (await this.search.users(args.prefix, args.limit)).map((u) => ({ id: u.id, purchaseCount: u.purchases }));
  }

  @Query(() => [ItemModel], { description: 'Items by id or by part of the title: exact id, then titles starting with the text, then containing it.' })
  async searchItems(@Args() args: SearchItemsArgs): Promise<ItemModel[]> {
    return (await this.search.items(args.text, args.limit)).map(toItemModel);
  }
}
