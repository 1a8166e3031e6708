import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { GraphClient } from './graph-client';

/**
 * Owns the one GraphClient (and so the driver): connected and verified while the app starts, so a
 * missing Neo4j stops the boot with a message saying how to start it; closed on shutdown.
 */
/** Floor of the per-transaction timeout derived from the request budget. */
const MIN_TRANSACTION_TIMEOUT_MS = 1000;

@Module({
  providers: [
    {
      provide: GraphClient,
      inject: [APP_CONFIG],
      // Every API transaction is bounded (twice a request's budget): a slow query fails as 503
      // instead of holding a request and a pooled connection indefinitely. At least a second, so
      // that a tiny budget cannot cut the start-up reads (a request's own budget still applies).
      // Causal: on a cluster a replica reads its own writes (see GraphClient).
      useFactory: (config: AppConfig): Promise<GraphClient> =>
        GraphClient.connect(config.neo4j, undefined, {
          transactionTimeoutMs: Math.max(MIN_TRANSACTION_TIMEOUT_MS, 2 * config.limits.requestBudgetMs),
          causal: true,
        }),
    },
  ],
  exports: [GraphClient],
})
export class GraphModule implements OnApplicationShutdown {
  constructor(@Inject(GraphClient) private readonly graph: GraphClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.graph.close();
  }
}
