import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('UserSummary', { description: 'A user found by id, with the size of their history.' })
export class UserSummaryModel {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Purchases (the positives R_u).' })
  purchaseCount!: number;
}
