import { ArgsType, Field } from '@nestjs/graphql';
import { IsBoolean } from 'class-validator';
import { ItemIdArgs } from './item-id.args';

@ArgsType()
export class HideItemArgs extends ItemIdArgs {
  @Field({ defaultValue: true, description: 'false shows a hidden item again.' })
  @IsBoolean()
  hidden: boolean = true;
}
