import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { AppConfig } from './config/app-config';
import { APP_CONFIG, APP_LOGGER, ConfigModule, DEFAULT_API_TUNING, type ApiTuning } from './config/config.module';
import type { Logger } from './common/logging/logger';
import { ApiKeyRing } from './common/auth/api-key-ring';
import { admissionPlugin } from './common/graphql/admission.plugin';
import { ExpressApolloDriver, type ExpressApolloDriverConfig } from './common/graphql/express-apollo.driver';
import { createGraphqlErrorFormatter } from './common/graphql/format-graphql-error';
import { renderIdeOffPage, renderIdePage, resolveIdeAssets } from './common/graphql/graphql-ide';
import { GraphqlIdeController, IDE_ASSETS } from './common/graphql/graphql-ide.controller';
import { depthLimitRule } from './common/graphql/query-limits';
import { ClientRateLimits } from './common/request/client-rate-limits';
import { RequestRateLimitMiddleware } from './common/request/request-rate-limit.middleware';
import { RequestPolicyModule } from './common/request-policy.module';
import { createValidationPipe } from './common/validation/validation.pipe';
import { DomainErrorFilter } from './common/errors/domain-error.filter';
import { CatalogModule } from './catalog/catalog.module';
import { CatalogService } from './catalog/catalog.service';
import { ExplorerModule } from './explorer/explorer.module';
import { HealthModule } from './health/health.module';
import { graphqlMetricsPlugin } from './metrics/graphql-metrics.plugin';
import { MetricsModule } from './metrics/metrics.module';
import { MetricsService } from './metrics/metrics.service';
import { RecommendModule } from './recommend/recommend.module';
import { SearchModule } from './search/search.module';
import { TrainingModule } from './training/training.module';
import { apiCostTable } from './app.query-costs';

export interface AppModuleOptions {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly tuning?: ApiTuning;
}

/** Tokens in one GraphQL document: parsing and validating stay cheap whatever a client sends. */
const MAX_QUERY_TOKENS = 10_000;

/**
 * The API: GraphQL at /graphql (code-first, schema generated from the models), GET /health,
 * GET /metrics, the recommendation explorer at / and, in development, GraphiQL at GET /graphql
 * (Apollo's CDN landing page is off; everything is served from this process). Every request passes
 * the admission plugin (rate limits, variables, cost, time budget) and every root field the API key
 * guard.
 */
@Module({})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Before Apollo's own middleware on the same path (Nest applies these first).
    consumer.apply(RequestRateLimitMiddleware).forRoutes('graphql');
  }

  static forRoot(options: AppModuleOptions): DynamicModule {
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
        RequestPolicyModule,
        GraphQLModule.forRootAsync<ExpressApolloDriverConfig>({
          driver: ExpressApolloDriver,
          imports: [MetricsModule, CatalogModule],
          inject: [MetricsService, APP_LOGGER, APP_CONFIG, ApiKeyRing, ClientRateLimits, CatalogService],
          useFactory: (
            metrics: MetricsService,
            logger: Logger,
            config: AppConfig,
            keys: ApiKeyRing,
            rateLimits: ClientRateLimits,
            catalog: CatalogService,
          ): ExpressApolloDriverConfig => ({
            path: '/graphql',
            browserPage,
            // Built in memory; the committed schema.gql is written by `eran schema` (see app.schema.ts).
            autoSchemaFile: true,
            sortSchema: true,
            playground: false,
            graphiql: false,
            introspection: true,
            autoTransformHttpErrors: false,
            // Nest's driver would reset every executed response to HTTP 200; the admission plugin
            // sets the status of error-only responses from their codes instead.
            preserveHttpStatusForExecutionErrors: false,
            includeStacktraceInErrorResponses: false,
            formatError: createGraphqlErrorFormatter(logger),
            validationRules: [depthLimitRule(config.limits.maxDepth)],
            parseOptions: { maxTokens: MAX_QUERY_TOKENS },
            // No field sets cache hints; the default cache-control plugin would only wrap every field resolver.
            plugins: [
              ApolloServerPluginCacheControlDisabled(),
              admissionPlugin({ limits: config.limits, keys, rateLimits, costTable: () => apiCostTable(catalog.workload()) }),
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
