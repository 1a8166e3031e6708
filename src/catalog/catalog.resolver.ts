import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireRole, Role } from '../common/auth/roles';
import { CatalogService } from './catalog.service';
import { toItemModel } from './catalog.mappers';
import { AddItemInput } from './dto/add-item.input';
import { HideItemArgs } from './dto/hide-item.args';
import { ItemIdArgs } from './dto/item-id.args';
import { RecordPurchaseArgs } from './dto/record-purchase.args';
import { UserIdArgs } from './dto/user-id.args';
import { AddItemResultModel } from './models/add-item-result.model';
import { ItemModel } from './models/item.model';
import { PurchaseResultModel } from './models/purchase-result.model';
import { UserModel } from './models/user.model';

@Resolver()
export class CatalogResolver {
  constructor(private readonly catalog: CatalogService) {}

  @Query(() => ItemModel)
  item(@Args() args: ItemIdArgs): ItemModel {
    return toItemModel(this.catalog.item(args.itemId));
  }

  @Query(() => UserModel)
  async user(@Args() args: UserIdArgs): Promise<UserModel> {
    const user = await this.catalog.user(args.userId);
    return {
      id: user.id,
      heldOut: user.heldOut,
      purchases: user.purchases.flatMap((p) => {
        const item = this.catalog.findItem(p.itemId);
        return item === undefined ? [] : [{ item: toItemModel(item), rating: p.rating, at: p.at, purchasedAt: dateOf(p.at) }];
      }),
    };
  }

  @Mutation(() => PurchaseResultModel, {
    description:
      "Records a purchase (writer or admin API key); the user's next recommend reflects it without retraining. Creates the user on their first one. " +
      'Concurrent identical calls leave one purchase and one edge per item pair and network; exactly one of them reports newUser.',
  })
  @RequireRole(Role.Writer)
  async recordPurchase(@Args() args: RecordPurchaseArgs): Promise<PurchaseResultModel> {
    const outcome = await this.catalog.recordPurchase(args.userId, args.itemId, args.rating);
    return { ...outcome, item: toItemModel(this.catalog.item(outcome.itemId)), recordedAt: new Date(outcome.at * 1000) };
  }

  @Mutation(() => AddItemResultModel, {
    description: 'Adds a cold-start item (admin API key), links it into the attribute networks by its values and encodes it (eq. 14).',
  })
  @RequireRole(Role.Admin)
  async addItem(@Args('input') input: AddItemInput): Promise<AddItemResultModel> {
    const added = await this.catalog.addItem(input);
    return {
      item: toItemModel(added.item),
      recommendable: added.encoded,
      networkLinks: [...added.neighbours].map(([kind, items]) => ({ kind, items })),
    };
  }

  @Mutation(() => ItemModel, { description: 'Hides an item from every recommendation (admin API key; hidden: false shows it again).' })
  @RequireRole(Role.Admin)
  async hideItem(@Args() args: HideItemArgs): Promise<ItemModel> {
    return toItemModel(await this.catalog.hideItem(args.itemId, args.hidden));
  }
}

/** Unix seconds as a Date; null when absent or beyond what a Date holds (year 275760), which a dataset may claim. */
function dateOf(seconds: number | null): Date | null {
  if (seconds === null) return null;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date;
}
