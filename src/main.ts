import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, type AppModuleOptions } from './app.module';
import { loadConfig, type AppConfig } from './config/app-config';
import { createLogger, type Logger } from './common/logging/logger';
import { PinoNestLogger } from './common/logging/nest-logger';

export interface StartedServer {
  readonly app: INestApplication;
  readonly url: string;
  readonly logger: Logger;
}

/** Creates the Nest application (not listening): used by `serve`, the demo and the e2e tests. */
export async function createApp(options: Partial<AppModuleOptions> & { config: AppConfig }): Promise<INestApplication> {
  const logger = options.logger ?? createLogger(options.config.logLevel, 'eran-api');
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ ...options, logger }), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // Registered below with the configured limit; a body over it is answered by the GraphQL
    // middleware as a 413 GraphQL error (express-apollo.driver.ts), not Express' HTML page.
    bodyParser: false,
  });
  app.useBodyParser('json', { limit: options.config.limits.bodyLimitBytes });
  // Client addresses (rate limits) from X-Forwarded-For only behind that many trusted proxies.
  app.set('trust proxy', options.config.limits.trustProxyHops);
  app.enableShutdownHooks();
  // The evaluation reports' files for the explorer's model page (GET /reports lists them). Express'
  // static middleware (serve-static) handles paths, types and ranges; no index pages, no redirects,
  // and anything it does not have falls through to the routes.
  app.useStaticAssets(resolve(options.config.reportsDir), { prefix: '/reports/', index: false, redirect: false, fallthrough: true, dotfiles: 'deny' });
  return app;
}

/** Boots the API on config.port (0 = any free port) and returns its base URL. */
export async function startServer(config: AppConfig = loadConfig(), options: Partial<AppModuleOptions> = {}): Promise<StartedServer> {
  const logger = options.logger ?? createLogger(config.logLevel, 'eran-api');
  const app = await createApp({ ...options, config, logger });
  const http = app.getHttpServer() as { keepAliveTimeout: number; headersTimeout: number };
  // Longer than the usual 60 s idle timeout of proxies and clients' keep-alive pools: Node's 5 s
  // default closes sockets a client is about to reuse, which surfaces as ECONNRESET under load.
  http.keepAliveTimeout = 65_000;
  http.headersTimeout = 66_000;
  await app.listen(config.port, '0.0.0.0');
  const address = app.getHttpServer().address() as { port: number } | string | null;
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url: `${url}/graphql`, health: `${url}/health`, metrics: `${url}/metrics` }, 'eRAN-graph API listening');
  return { app, url, logger };
}

if (require.main === module) {
  startServer().catch((error: unknown) => {
    console.error(`eran serve: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
