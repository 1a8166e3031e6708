import { ArgsType, Field, ID } from '@nestjs/graphql';
import { Matches } from 'class-validator';

@ArgsType()
export class ModelVersionArgs {
  @Field(() => ID, { description: 'A checkpoint version, v<UTC timestamp> (see modelVersions).' })
  @Matches(/^v[0-9TZ]+(-\d+)?$/, { message: 'version must be a checkpoint version of the form v<timestamp>' })
  version!: string;
}
