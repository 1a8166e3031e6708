import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { ItemModel } from './item.model';

@ObjectType('Purchase')
export class PurchaseModel {
  @Field(() => ItemModel)
  item!: ItemModel;

  @Field(() => Float)
  rating!: number;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it was bought (ISO 8601, UTC); null when the dataset has no time.' })
  purchasedAt!: Date | null;

  @Field(() => Float, { nullable: true, description: 'Unix time in seconds. A Float, not an Int: GraphQL Ints are 32-bit and end in January 2038.' })
  at!: number | null;
}

@ObjectType('User')
export class UserModel {
  @Field(() => ID)
  id!: string;

  @Field(() => [PurchaseModel], { description: 'Purchases (the positives R_u), newest first.' })
  purchases!: PurchaseModel[];

  @Field(() => Int, { description: 'Positives held out of training for evaluation.' })
  heldOut!: number;
}
