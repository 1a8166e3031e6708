import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsNotEmpty, IsString } from 'class-validator';

@ArgsType()
export class TrainingJobArgs {
  @Field(() => ID)
  @IsString()
  @IsNotEmpty()
  id!: string;
}
