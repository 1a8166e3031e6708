import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Item')
export class ItemModel {
  @Field(() => ID)
  id!: string;

  @Field()
  title!: string;

  @Field(() => Int, { nullable: true })
  year!: number | null;

  @Field({ description: 'Hidden items are never recommended, listed as similar or given an audience.' })
  hidden!: boolean;

  @Field({ description: 'Added through addItem (no purchases at training time).' })
  coldStart!: boolean;
}
