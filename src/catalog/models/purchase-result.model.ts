import { Field, Float, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
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

  @Field(() => GraphQLISODateTime, { description: 'When it was recorded (ISO 8601, UTC).' })
  recordedAt!: Date;

  @Field(() => Float, { description: 'Unix time in seconds. A Float, not an Int: GraphQL Ints are 32-bit and end in January 2038.' })
  at!: number;
}
