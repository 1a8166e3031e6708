import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { ItemModel } from './item.model';

@ObjectType('PurchaseResult')
export class PurchaseResultModel {
  @Field(() => ID)
  userId!: string;

  @Field(() => ItemModel)
  item!: ItemModel;

  @Field(() => Float)
  rating!: number;

  @Field({
    description: "Above the dataset's positive threshold: a purchase in R_u that updates the attribute networks. Otherwise recorded as a rating only.",
  })
  positive!: boolean;

  @Field({ description: 'The first interaction of this user.' })
  newUser!: boolean;

  @Field(() => Int, { description: 'Unix time in seconds.' })
  at!: number;
}
