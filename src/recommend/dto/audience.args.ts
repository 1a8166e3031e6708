import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';

@ArgsType()
export class AudienceArgs {
  @Field(() => ID)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  itemId!: string;

  @Field(() => Int, { defaultValue: 10 })
  @IsInt()
  @Min(1)
  @Max(100)
  k: number = 10;
}
