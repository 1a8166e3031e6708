import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/**
 * Options of `retrainModel`. Defaults are sized for retraining inside the API process on a CPU
 * (a few minutes on ml100k); the paper's settings (hidden [1024, 256, 32], lr 0.001, alpha 1500)
 * remain available by passing them.
 */
@InputType()
export class RetrainOptionsInput {
  @Field(() => Int, { defaultValue: 30, description: 'At most this many epochs (validation stops earlier).' })
  @IsInt()
  @Min(1)
  @Max(500)
  epochs: number = 30;

  @Field(() => [Int], { defaultValue: [128, 32], description: 'Encoder widths; the last one is the code size d.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @IsInt({ each: true })
  @Min(2, { each: true })
  @Max(4096, { each: true })
  hidden: number[] = [128, 32];

  @Field(() => Float, { defaultValue: 0.01 })
  @IsNumber()
  @Min(1e-6)
  @Max(1)
  learningRate: number = 0.01;

  @Field(() => Float, { defaultValue: 10, description: 'Weight of the ranking loss (eq. 12).' })
  @IsNumber()
  @Min(0)
  @Max(1e6)
  alpha: number = 10;

  @Field(() => Int, { defaultValue: 2000 })
  @IsInt()
  @Min(1)
  @Max(100000)
  batchSize: number = 2000;

  @Field({ defaultValue: 'sampled', description: 'exact | sampled reconstruction loss.' })
  @IsIn(['exact', 'sampled'])
  reconstruction: 'exact' | 'sampled' = 'sampled';

  @Field({
    defaultValue: 'mixture',
    description:
      'paper (eq. 13) | kernel | mixture (eran-plus: the attention mixes one kernel per attribute network, recency-weighted purchases; ' +
      'it brings item bias and item vectors and uses its own trainer, so alpha and batchSize do not apply).',
  })
  @IsIn(['paper', 'kernel', 'mixture'])
  scoring: 'paper' | 'kernel' | 'mixture' = 'mixture';

  @Field({ defaultValue: 'eran', description: 'eran | eran-l1 | eran-l2' })
  @IsIn(['eran', 'eran-l1', 'eran-l2'])
  variant: 'eran' | 'eran-l1' | 'eran-l2' = 'eran';

  @Field({ defaultValue: false, description: 'The learned item-bias improvement (off in the paper).' })
  @IsBoolean()
  itemBias: boolean = false;

  @Field(() => Int, { defaultValue: 42 })
  @IsInt()
  seed: number = 42;

  @Field(() => Int, { defaultValue: 3, description: 'Epochs without validation gain before stopping.' })
  @IsInt()
  @Min(1)
  @Max(100)
  patience: number = 3;

  @Field(() => Int, { nullable: true, description: 'Wall-clock budget in seconds.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86400)
  maxSeconds?: number;

  @Field(() => Float, {
    defaultValue: 0,
    description: 'Quality gate: below this validation nDCG@10 the job fails and the current model keeps serving.',
  })
  @IsNumber()
  @Min(0)
  @Max(1)
  minValidationNdcg: number = 0;

  @Field(() => [String], { nullable: true, description: 'Attribute kinds to use (default: all of the dataset).' })
  @IsOptional()
  @ArrayMinSize(1)
  @IsString({ each: true })
  @Matches(/^[a-z][a-z0-9_]*$/, { each: true })
  kinds?: string[];
}
