import { Field, Float, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { AttributeValueModel } from '../../catalog/models/attribute-value.model';
import { ItemModel } from '../../catalog/models/item.model';

export enum PathNodeType {
  USER = 'USER',
  ITEM = 'ITEM',
  ATTRIBUTE = 'ATTRIBUTE',
}

export enum ExplanationMode {
  SHARED_VALUE = 'SHARED_VALUE',
  NETWORK_PATH = 'NETWORK_PATH',
  OTHER_VALUE = 'OTHER_VALUE',
  NONE = 'NONE',
}

registerEnumType(PathNodeType, { name: 'PathNodeType' });
registerEnumType(ExplanationMode, {
  name: 'ExplanationMode',
  description: 'How the recommended item is tied to the purchase that explains it.',
  valuesMap: {
    SHARED_VALUE: { description: "They share a value of the top-attention kind k* (the paper's explanation)." },
    NETWORK_PATH: { description: 'No shared value: the shortest path between them in the k* attribute network.' },
    OTHER_VALUE: { description: 'No k* link found: a value of another kind they share.' },
    NONE: { description: 'No link in the graph: only the purchase is shown.' },
  },
});

@ObjectType('AttentionWeight', { description: 'a~^k_{u,i}: the weight of one attribute kind for this user and item (eq. 6).' })
export class AttentionWeightModel {
  @Field()
  kind!: string;

  @Field(() => Float)
  weight!: number;
}

@ObjectType('PathNode')
export class PathNodeModel {
  @Field(() => PathNodeType)
  type!: PathNodeType;

  @Field(() => ID, { description: 'User or item id; attribute uid (kind:value) for attribute values.' })
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true, description: 'Attribute kind, for attribute values.' })
  kind!: string | null;
}

@ObjectType('PathRelationship', { description: 'A relationship of the path, in its stored direction.' })
export class PathRelationshipModel {
  @Field()
  type!: string;

  @Field(() => ID)
  from!: string;

  @Field(() => ID)
  to!: string;
}

@ObjectType('ExplanationPath', { description: 'A path that exists in the graph, from the user to the recommended item.' })
export class ExplanationPathModel {
  @Field(() => [PathNodeModel])
  nodes!: PathNodeModel[];

  @Field(() => [PathRelationshipModel])
  relationships!: PathRelationshipModel[];
}

@ObjectType('Explanation', { description: 'Why an item is recommended to a user (paper section 3.4).' })
export class ExplanationModel {
  @Field({
    description:
      'k*: the attribute kind the explanation rests on. eran-plus (mixture scoring, the default): the kind through which the anchor ' +
      'purchase contributes most to the score; paper and kernel scoring: the kind with the largest attention for this user and item.',
  })
  attribute!: string;

  @Field(() => [AttentionWeightModel])
  attention!: AttentionWeightModel[];

  @Field(() => ItemModel, { nullable: true, description: 'j*: the purchased item the recommendation is anchored on.' })
  neighbor!: ItemModel | null;

  @Field(() => [AttributeValueModel], { description: 'The values the item shares with the neighbor (of kind k* unless mode is OTHER_VALUE).' })
  sharedValues!: AttributeValueModel[];

  @Field(() => ExplanationMode)
  mode!: ExplanationMode;

  @Field({
    description:
      'Whether the neighbor is adjacent to the item in the k* attribute network (co-purchased and sharing a value), as the paper prefers; j* is chosen among adjacent purchases first.',
  })
  adjacent!: boolean;

  @Field(() => ExplanationPathModel, { nullable: true })
  path!: ExplanationPathModel | null;

  @Field()
  text!: string;
}
