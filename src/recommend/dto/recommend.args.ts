import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

@InputType()
export class AttributeFilterInput {
  @Field({ description: 'Attribute kind, e.g. director.' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]*$/, { message: 'kind must be lower-case letters, digits or _' })
  kind!: string;

  @Field(() => [String], { description: 'Value ids or names (case-insensitive); any one matches.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  values!: string[];
}

@InputType()
export class RecommendFilterInput {
  @Field(() => [String], { nullable: true, description: 'Genre names or ids (case-insensitive); an item matches with any one.' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  genres?: string[];

  @Field(() => [AttributeFilterInput], { nullable: true, description: 'Constraints on any attribute kind; all must hold.' })
  @IsOptional()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => AttributeFilterInput)
  attributes?: AttributeFilterInput[];

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3000)
  yearFrom?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3000)
  yearTo?: number;
}

@ArgsType()
export class RecommendArgs {
  @Field(() => ID)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  userId!: string;

  @Field(() => Int, { defaultValue: 10 })
  @IsInt()
  @Min(1)
  @Max(100)
  k: number = 10;

  @Field(() => [ID], { nullable: true, description: 'Items never to return (besides those the user has and hidden ones).' })
  @IsOptional()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  excludeIds?: string[];

  @Field(() => RecommendFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => RecommendFilterInput)
  filter?: RecommendFilterInput;
}
