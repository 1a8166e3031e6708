import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

@ArgsType()
export class UserIdArgs {
  @Field(() => ID)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  userId!: string;
}
