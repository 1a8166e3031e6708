import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { AppConfig } from './config/app-config';
import { APP_LOGGER, ConfigModule, DEFAULT_API_TUNING, type ApiTuning } from './config/config.module';
import type { Logger } from './common/logging/logger';
import { ExpressApolloDriver, type ExpressApolloDriverConfig } from './common/graphql/express-apollo.driver';
import { createGraphqlErrorFormatter } from './common/graphql/format-graphql-error';
import { renderIdeOffPage, renderIdePage, resolveIdeAssets } from './common/graphql/graphql-ide';
import { GraphqlIdeController, IDE_ASSETS } from './common/graphql/graphql-ide.controller';
import { complexityLimitPlugin, DEFAULT_QUERY_LIMITS, depthLimitRule, type QueryLimits } from './common/graphql/query-limits';
import { createValidationPipe } from './common/validation/validation.pipe';
import { DomainErrorFilter } from './common/errors/domain-error.filter';
import { CatalogModule } from './catalog/catalog.module';
import { ExplorerModule } from './explorer/explorer.module';
import { HealthModule } from './health/health.module';
import { graphqlMetricsPlugin } from './metrics/graphql-metrics.plugin';
import { MetricsModule } from './metrics/metrics.module';
import { MetricsService } from './metrics/metrics.service';
import { RecommendModule } from './recommend/recommend.module';
import { SearchModule } from './search/search.module';
import { TrainingModule } from './training/training.module';

export interface AppModuleOptions {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly queryLimits?: QueryLimits;
  readonly tuning?: ApiTuning;
}

/**
 * The API: GraphQL at /graphql (code-first, schema generated from the models), GET /health,
 * GET /metrics, the recommendation explorer at / and, in development, GraphiQL at GET /graphql
 * (Apollo's CDN landing page is off; everything is served from this process).
 */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const limits = options.queryLimits ?? DEFAULT_QUERY_LIMITS;
    const ideAssets = options.config.graphqlIde ? resolveIdeAssets() : null;
    const browserPage =
      ideAssets !== null
        ? renderIdePage()
        : renderIdeOffPage(
            options.config.graphqlIde
              ? 'GraphiQL is not installed here (it comes with the development dependencies: npm ci).'
              : 'The GraphQL IDE is off (GRAPHQL_IDE=false, or NODE_ENV=production).',
          );
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config, options.logger, options.tuning ?? DEFAULT_API_TUNING),
        GraphQLModule.forRootAsync<ExpressApolloDriverConfig>({
          driver: ExpressApolloDriver,
          imports: [MetricsModule],
          inject: [MetricsService, APP_LOGGER],
          useFactory: (metrics: MetricsService, logger: Logger): ExpressApolloDriverConfig => ({
            path: '/graphql',
            browserPage,
            // Built in memory; the committed schema.gql is written by `eran schema` (see app.schema.ts).
            autoSchemaFile: true,
            sortSchema: true,
            playground: false,
            graphiql: false,
            introspection: true,
            autoTransformHttpErrors: false,
            includeStacktraceInErrorResponses: false,
            formatError: createGraphqlErrorFormatter(logger),
            validationRules: [depthLimitRule(limits.maxDepth)],
            // No field sets cache hints; the default cache-control plugin would only wrap every field resolver.
            plugins: [
              ApolloServerPluginCacheControlDisabled(),
              complexityLimitPlugin(limits.maxComplexity),
              graphqlMetricsPlugin(metrics, logger),
            ],
            buildSchemaOptions: { dateScalarMode: 'isoDate' },
          }),
        }),
        TrainingModule,
        CatalogModule,
        RecommendModule,
        SearchModule,
        ExplorerModule,
        HealthModule,
        MetricsModule,
      ],
      controllers: [GraphqlIdeController],
      providers: [
        { provide: IDE_ASSETS, useValue: ideAssets },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: DomainErrorFilter },
      ],
    };
  }
}
