import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum TrainingJobStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

registerEnumType(TrainingJobStatus, { name: 'TrainingJobStatus' });

@ObjectType('TrainingJob', { description: 'A retraining run: progress while RUNNING, the new version or the error after.' })
export class TrainingJobModel {
  @Field(() => ID)
  id!: string;

  @Field(() => TrainingJobStatus)
  status!: TrainingJobStatus;

  @Field({ description: 'extract | train | evaluate | save | done' })
  phase!: string;

  @Field(() => Int)
  epoch!: number;

  @Field(() => Int)
  epochs!: number;

  @Field(() => Float, { nullable: true, description: 'Mean training loss (eq. 12) of the last epoch.' })
  loss!: number | null;

  @Field(() => Float, { nullable: true, description: 'Validation nDCG@10 (100 sampled negatives).' })
  validationNdcg!: number | null;

  @Field()
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => String, { nullable: true, description: 'The version this job produced, published to every replica.' })
  modelVersion!: string | null;
}
