import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '../common/logging/logger';
import type { AppConfig } from './app-config';

/** Injection tokens for the validated configuration and the root pino logger. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const APP_LOGGER = Symbol('APP_LOGGER');
export const API_TUNING = Symbol('API_TUNING');

/** Serving knobs chosen by whoever starts the app (CLI flags, tests), not by the environment. */
export interface ApiTuning {
  /** How long an explanation is reused for the same user, history and model; 0 disables. */
  readonly explanationCacheTtlMs: number;
  /**
   * Start listening before the start-up model is active (`eran serve`): activation takes minutes
   * at catalogue scale, and meanwhile health, readiness and writes answer while recommendations
   * answer MODEL_NOT_READY. Off, the app's init waits for the model (tests, the demo).
   */
  readonly activateInBackground?: boolean;
}

export const DEFAULT_API_TUNING: ApiTuning = { explanationCacheTtlMs: 30_000 };

/**
 * Infrastructure, not a feature: global so that every module can inject the configuration that
 * `loadConfig()` validated once at boot (tests pass their own), the serving knobs and the one logger.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, logger: Logger, tuning: ApiTuning = DEFAULT_API_TUNING): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_LOGGER, useValue: logger },
        { provide: API_TUNING, useValue: tuning },
      ],
      exports: [APP_CONFIG, APP_LOGGER, API_TUNING],
    };
  }
}
