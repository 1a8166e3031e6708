import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '../common/logging/logger';
import type { AppConfig } from './app-config';

/** Injection tokens for the validated configuration and the root pino logger. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const APP_LOGGER = Symbol('APP_LOGGER');

/**
 * Infrastructure, not a feature: global so that every module can inject the configuration that
 * `loadConfig()` validated once at boot (tests pass their own) and the one logger.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_LOGGER, useValue: logger },
      ],
      exports: [APP_CONFIG, APP_LOGGER],
    };
  }
}
