import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

@ArgsType()
export class SimilarItemsArgs {
  @Field(() => ID)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  itemId!: string;

  @Field(() => ID, { nullable: true, description: "Personalizes the similarity with this user's attention (eq. 8)." })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  userId?: string;

  @Field(() => Int, { defaultValue: 10 })
  @IsInt()
  @Min(1)
  @Max(100)
  k: number = 10;
}
