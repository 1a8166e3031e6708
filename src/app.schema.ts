import { writeFile } from 'node:fs/promises';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { CatalogResolver } from './catalog/catalog.resolver';
import { ItemResolver } from './catalog/item.resolver';
import { RecommendResolver } from './recommend/recommend.resolver';
import { SearchResolver } from './search/search.resolver';
import { TrainingAdminResolver, TrainingResolver } from './training/training.resolver';

/** Every resolver class of the API: the schema is generated from them (code-first). */
export const API_RESOLVERS = [RecommendResolver, CatalogResolver, ItemResolver, TrainingResolver, TrainingAdminResolver, SearchResolver];

export const SCHEMA_HEADER = '# Generated from the code-first models by `npm run eran -- schema`. Do not edit.\n\n';

/** The API schema without starting the app (no Neo4j needed): for `eran schema` and the drift test. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  const app = await NestFactory.create(GraphQLSchemaBuilderModule, { logger: false });
  try {
    await app.init();
    return await app.get(GraphQLSchemaFactory).create(API_RESOLVERS, { dateScalarMode: 'isoDate' });
  } finally {
    await app.close();
  }
}

export function renderSchema(schema: GraphQLSchema): string {
  return `${SCHEMA_HEADER}${printSchema(lexicographicSortSchema(schema))}\n`;
}

export async function writeSchemaFile(path: string): Promise<string> {
  const sdl = renderSchema(await buildApiSchema());
  await writeFile(path, sdl);
  return sdl;
}
