import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { ItemModel } from './item.model';

@ObjectType('Purchase')
export class PurchaseModel {
  @Field(() => ItemModel)
  item!: ItemModel;

  @Field(() => Float)
  rating!: number;

  @Field(() => Int, { nullable: true, description: 'Unix time in seconds.' })
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
