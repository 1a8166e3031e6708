import { ArgsType, Field, Float, ID } from '@nestjs/graphql';
import { IsNotEmpty, IsNumber, IsString, Max, MaxLength, Min } from 'class-validator';

@ArgsType()
export class RecordPurchaseArgs {
  @Field(() => ID)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  userId!: string;

  @Field(() => ID)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  itemId!: string;

  @Field(() => Float, { description: "Rating on the dataset's scale; above its threshold (3 by default) it is a purchase." })
  @IsNumber()
  @Min(0)
  @Max(10)
  rating!: number;
}
