import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

@ArgsType()
export class ItemIdArgs {
  @Field(() => ID)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  itemId!: string;
}
