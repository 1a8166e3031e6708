import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

@InputType()
export class AttributeValueInput {
  @Field({ description: 'An attribute kind of the dataset, e.g. actor.' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]*$/, { message: 'kind must be lower-case letters, digits or _' })
  kind!: string;

  @Field({ description: 'Value id (slug), e.g. johnny-depp; an existing id links to the existing value.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  value!: string;

  @Field(() => String, { nullable: true, description: 'Display name (needed for a value not seen before; defaults to the id).' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  name?: string | null;
}

@InputType()
export class AddItemInput {
  @Field(() => ID)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  id!: string;

  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title!: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1800)
  @Max(2200)
  year?: number | null;

  @Field(() => [AttributeValueInput], { description: 'Values in billing order; they link the item into the attribute networks.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AttributeValueInput)
  attributes!: AttributeValueInput[];
}
