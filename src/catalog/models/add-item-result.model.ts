import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ItemModel } from './item.model';

@ObjectType('NetworkLinks', { description: 'How many items a new item was linked to in one attribute network.' })
export class NetworkLinksModel {
  @Field()
  kind!: string;

  @Field(() => Int)
  items!: number;
}

@ObjectType('AddItemResult')
export class AddItemResultModel {
  @Field(() => ItemModel)
  item!: ItemModel;

  @Field({ description: 'Encoded by the served model (eq. 14): appears in recommend, similarItems and audience now.' })
  recommendable!: boolean;

  @Field(() => [NetworkLinksModel])
  networkLinks!: NetworkLinksModel[];
}
