import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';

@ArgsType()
export class SearchUsersArgs {
  @Field({ description: 'The start of a user id; empty lists the first users.' })
  @IsString()
  @MaxLength(200)
  prefix!: string;

  @Field(() => Int, { defaultValue: 10 })
  @IsInt()
  @Min(1)
  @Max(50)
  limit: number = 10;
}

@ArgsType()
export class SearchItemsArgs {
  @Field({ description: 'An item id, or part of a title (case-insensitive).' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  text!: string;

  @Field(() => Int, { defaultValue: 10 })
  @IsInt()
  @Min(1)
  @Max(50)
  limit: number = 10;
}
