import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Metric', { description: 'One training or validation figure of a model version.' })
export class MetricModel {
  @Field()
  name!: string;

  @Field(() => Float, { nullable: true, description: 'Numeric value, when the metric is a number.' })
  value!: number | null;

  @Field({ description: 'The value as text (numbers, flags and labels alike).' })
  text!: string;
}

@ObjectType('ModelInfo', { description: 'The model version being served.' })
export class ModelInfoModel {
  @Field(() => ID, { description: 'Checkpoint version, v<UTC timestamp>.' })
  version!: string;

  @Field({ description: 'ISO-8601 time the checkpoint was written.' })
  trainedAt!: string;

  @Field({ description: 'The dataset it was trained on, as imported.' })
  dataset!: string;

  @Field(() => [String], { description: 'Attribute kinds, one autoencoder and one attention weight each.' })
  kinds!: string[];

  @Field(() => Int, { description: 'Items the model can score: trained items plus cold-start items encoded since.' })
  items!: number;

  @Field(() => Int)
  trainedItems!: number;

  @Field(() => Int)
  users!: number;

  @Field(() => [Int], { description: 'Encoder widths; the last one is the code size d.' })
  hidden!: number[];

  @Field(() => [MetricModel])
  metrics!: MetricModel[];
}
