import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AttributeValue', { description: 'One value of an attribute kind: an actor, a director, a genre, ...' })
export class AttributeValueModel {
  @Field({ description: 'The attribute kind, e.g. actor.' })
  kind!: string;

  @Field({ description: 'Stable value id (a slug), unique within its kind.' })
  id!: string;

  @Field()
  name!: string;

  @Field(() => Int, { nullable: true, description: 'Billing order for ranked kinds (actors), 1-based.' })
  rank?: number | null;
}
