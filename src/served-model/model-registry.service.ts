import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG, APP_LOGGER } from '../config/config.module';
import type { Logger } from '../common/logging/logger';
import { modelNotReady } from '../common/errors/domain-error';
import { initBackend } from '../model/backend';
import { CheckpointStore } from './checkpoint-store';
import type { CatalogueSnapshot } from './recommender-engine';
import { servedModelOf, type ServedModel } from './served-model';
import { ServedModelRepository } from './served-model.repository';

/** Runs before a model starts serving (e.g. encoding cold-start items it has not seen). */
export type ActivationHook = (model: ServedModel) => Promise<void>;

/**
 * Holds the active model version. Replacing it is a single reference assignment, made only after
 * the new model is complete (activation hooks included): a request sees the old model or the new
 * one, never a mix. At start-up the newest checkpoint is loaded; without one, every model-backed
 * query answers MODEL_NOT_READY until a training run succeeds.
 */
@Injectable()
export class ModelRegistryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private active: ServedModel | null = null;
  private readonly hooks: ActivationHook[] = [];
  private backendName: string | null = null;
  readonly store: CheckpointStore;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly repo: ServedModelRepository,
  ) {
    this.store = new CheckpointStore(config.checkpointDir);
  }

  current(): ServedModel | null {
    return this.active;
  }

  /** The active model, or MODEL_NOT_READY. */
  require(): ServedModel {
    if (this.active === null) throw modelNotReady();
    return this.active;
  }

  onActivate(hook: ActivationHook): void {
    this.hooks.push(hook);
  }

  /** The tfjs backend, initialised once (encoders of cold items and training need it). */
  async backend(): Promise<string> {
    if (this.backendName === null) {
      const choice = await initBackend({ prefer: this.config.tfBackend, log: (message) => this.logger.info(message) });
      this.backendName = choice.name;
    }
    return this.backendName;
  }

  async onApplicationBootstrap(): Promise<void> {
    const version = await this.store.newest();
    if (version === null) {
      this.logger.warn({ checkpointDir: this.config.checkpointDir }, 'no checkpoint found: serving MODEL_NOT_READY until a model is trained');
      return;
    }
    try {
      await this.backend();
      const loaded = await this.store.load(version);
      await this.activate(servedModelOf(version, loaded));
    } catch (error) {
      this.logger.error({ err: error, version }, 'could not load the newest checkpoint: serving MODEL_NOT_READY');
    }
  }

  /**
   * Makes `model` the served version once every activation hook has run and its candidate sources
   * are built (code-space index, network links and popularity read from the graph); the old one
   * is disposed.
   */
  async activate(model: ServedModel): Promise<void> {
    for (const hook of this.hooks) {
      try {
        await hook(model);
      } catch (error) {
        // A hook completes the model (cold items); a failure degrades it, it does not block the swap.
        this.logger.error({ err: error, version: model.version }, 'model activation hook failed');
      }
    }
    const started = Date.now();
    let snapshot: CatalogueSnapshot | null = null;
    try {
      snapshot = await this.repo.snapshot(model.kinds);
    } catch (error) {
      // Candidates then come from code space and the model's item bias alone: degraded, still served.
      this.logger.error({ err: error, version: model.version }, 'could not read the candidate sources from the graph');
    }
    await model.engine.activate(snapshot);
    this.logger.info({ version: model.version, ms: Date.now() - started, items: model.engine.itemCount }, 'candidate sources built');
    const previous = this.active;
    this.active = model;
    this.logger.info({ version: model.version, previous: previous?.version ?? null, metrics: model.metrics }, 'model activated');
    // Scoring is synchronous, so no request is inside the old engine now; its tensors can go.
    if (previous !== null && previous !== model) previous.engine.dispose();
  }

  onApplicationShutdown(): void {
    this.active?.engine.dispose();
    this.active = null;
  }
}
