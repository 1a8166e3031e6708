import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { ItemModel } from '../../catalog/models/item.model';

@ObjectType('Recommendation', { description: 'One ranked item; `explanation` is resolved for all rows of the response together.' })
export class RecommendationModel {
  @Field(() => Int)
  rank!: number;

  @Field(() => Float, { description: 'eq. 13: sum over the purchases of -||h_{u,i} - h_{u,j}||^2 (higher is better).' })
  score!: number;

  @Field(() => ItemModel)
  item!: ItemModel;

  /** Not a GraphQL field: whose recommendation this is (for the explanation loader). */
  userId!: string;
}

@ObjectType('SimilarItem')
export class SimilarItemModel {
  @Field(() => Int)
  rank!: number;

  @Field(() => Float, { description: "eq. 8: -||h_i - h_j||^2, under the user's attention when a user is given." })
  score!: number;

  @Field(() => ItemModel)
  item!: ItemModel;
}

@ObjectType('AudienceMember')
export class AudienceMemberModel {
  @Field(() => Int)
  rank!: number;

  @Field(() => ID)
  userId!: string;

  @Field(() => Float, { description: "eq. 14 aggregate of -||h_{u,x} - h_{u,j}||^2 over the user's purchases." })
  score!: number;
}
