import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { API_TUNING, APP_CONFIG, APP_LOGGER, type ApiTuning } from '../config/config.module';
import type { Logger } from '../common/logging/logger';
import { modelNotReady } from '../common/errors/domain-error';
import { initBackend } from '../model/backend';
import { CheckpointStore } from './checkpoint-store';
import type { CatalogueSnapshot } from './recommender-engine';
import { servedModelOf, type ServedModel } from './served-model';
import { ServedModelRepository } from './served-model.repository';
import { ChangeFeedService } from '../sync/change-feed.service';
import type { FeedEvent } from '../sync/change-log';

/** `ready`: a model serves; `loading`: none yet, one is being loaded and activated; `none`: none and none coming. */
export type ModelState = 'ready' | 'loading' | 'none';

/** Runs before a model starts serving (e.g. encoding cold-start items it has not seen), and once after. */
export type ActivationHook = (model: ServedModel) => Promise<void>;

/** After a failed load, the same version is not tried again for this long (a poll would retry it 5 times a second). */
const RETRY_FAILED_MS = 30_000;
/**
 * Candidate sources (purchase counts, strongest network links) read for an activation are reused
 * by the next one over the same kinds within this time: they describe the catalogue, not the
 * model, and reading them is most of a switch's cost (the whole network, paged). Items added since
 * are appended by the activation hooks with their own links.
 */
const SNAPSHOT_REUSE_MS = 10 * 60_000;

/**
 * Holds the active model version. Replacing it is a single reference assignment, made only after
 * the new model is complete (activation hooks included): a request sees the old model or the new
 * one, never a mix, and none is dropped.
 *
 * Which version serves is decided in the graph (`:Meta {key: 'model'}`), so that every replica
 * serves the same one: a training job or a rollback publishes a version, and each replica, on its
 * next change-log poll, loads that checkpoint from the shared CHECKPOINT_DIR and swaps it in. One
 * switch runs at a time; a version published meanwhile is taken next (the latest wins). At
 * start-up the published version is loaded, or the newest checkpoint when none was published;
 * without one, every model-backed query answers MODEL_NOT_READY until a model is published. With
 * `activateInBackground` that start-up load runs after the app listens (it takes minutes at
 * catalogue scale); model-backed queries answer MODEL_NOT_READY (`modelState: 'loading'`) until it
 * is active.
 */
@Injectable()
export class ModelRegistryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private active: ServedModel | null = null;
  private readonly hooks: ActivationHook[] = [];
  private backendName: string | null = null;
  /** The version this replica is switching to (the latest published it has seen). */
  private desired: string | null = null;
  private switching: Promise<void> | null = null;
  private readonly failed = new Map<string, number>();
  private snapshot: { readonly kinds: string; readonly at: number; readonly value: CatalogueSnapshot } | null = null;
  /** The start-up load, from bootstrap until it served a model or gave up. */
  private startup: Promise<void> | null = null;
  private starting = false;
  readonly store: CheckpointStore;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(API_TUNING) private readonly tuning: ApiTuning,
    private readonly repo: ServedModelRepository,
    private readonly feed: ChangeFeedService,
  ) {
    this.store = new CheckpointStore(config.checkpointDir);
    this.feed.subscribe((event) => this.onFeed(event));
  }

  current(): ServedModel | null {
    return this.active;
  }

  /** The active model, or MODEL_NOT_READY (saying whether one is on its way). */
  require(): ServedModel {
    if (this.active === null) throw modelNotReady(this.state() === 'loading');
    return this.active;
  }

  state(): ModelState {
    if (this.active !== null) return 'ready';
    return this.starting || this.switching !== null ? 'loading' : 'none';
  }

  /** Resolves when the start-up load has finished: a model serves, or none could be loaded (logged). */
  async started(): Promise<void> {
    await this.startup;
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
    this.starting = true;
    this.startup = this.loadAtStartup().finally(() => (this.starting = false));
    if (this.tuning.activateInBackground !== true) return this.startup;
    // Listening goes on meanwhile; a failure here is the one a blocking start would have thrown.
    this.startup = this.startup.catch((error: unknown) => {
      this.logger.error({ err: error }, 'could not load the start-up model: serving MODEL_NOT_READY until a version is published');
    });
    this.logger.info('listening before the model is active: recommendations answer MODEL_NOT_READY until it is');
  }

  private async loadAtStartup(): Promise<void> {
    const published = await this.repo.readPublished();
    const version = published ?? (await this.store.newest());
    if (version === null) {
      this.logger.warn({ checkpointDir: this.config.checkpointDir }, 'no checkpoint found: serving MODEL_NOT_READY until a model is trained');
      return;
    }
    await this.switchTo(version);
    if (this.active?.version === version) return;
    const newest = await this.store.newest();
    if (published !== null && newest !== null && newest !== published) {
      // Serving something beats serving nothing; the published version is tried again every 30 s.
      this.logger.error({ published, newest }, 'the published model version is not loadable from CHECKPOINT_DIR: serving the newest checkpoint meanwhile');
      await this.switchTo(newest);
    }
    if (this.active === null) this.logger.error({ version, published: published !== null }, 'could not load the model version: serving MODEL_NOT_READY');
  }

  /** Makes `version` the one every replica serves (they switch on their next poll); this replica switches now. */
  async publish(version: string, by: string): Promise<void> {
    const previous = await this.repo.publish(version, by);
    this.logger.info({ version, previous, by }, 'model version published');
    this.failed.delete(version);
    await this.switchTo(version);
  }

  /**
   * Loads `version` from CHECKPOINT_DIR and activates it, after any switch in progress; resolves
   * when this replica serves it or the load failed (logged; the current model keeps serving).
   */
  async switchTo(version: string): Promise<void> {
    this.desired = version;
    while (this.switching !== null) await this.switching;
    if (this.active?.version === version) return;
    this.switching = this.load(version).finally(() => (this.switching = null));
    await this.switching;
  }

  private onFeed(event: FeedEvent): void {
    const version = event.batch.modelVersion;
    if (version === null || version === this.active?.version || version === this.desired) return;
    const failedAt = this.failed.get(version);
    if (failedAt !== undefined && Date.now() - failedAt < RETRY_FAILED_MS) return;
    // Not awaited: the poller goes on applying catalogue changes while the new model loads.
    void this.switchTo(version);
  }

  private async load(version: string): Promise<void> {
    const started = Date.now();
    try {
      await this.backend();
      const loaded = await this.store.load(version);
      if (this.desired !== version) return;
      await this.activate(servedModelOf(version, loaded));
      this.logger.info({ version, ms: Date.now() - started }, 'switched to the published model version');
    } catch (error) {
      this.failed.set(version, Date.now());
      if (this.desired === version) this.desired = this.active?.version ?? null;
      this.logger.error({ err: error, version, checkpointDir: this.config.checkpointDir }, 'could not load a model version: the current one keeps serving');
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
    // The graph read (Neo4j's work) runs while the engine builds its code-space index (this
    // process's work): on separate cores the two overlap instead of adding up.
    const snapshot = this.candidateSources(model.kinds).catch((error: unknown) => {
      // Candidates then come from code space and the model's item bias alone: degraded, still served.
      this.logger.error({ err: error, version: model.version }, 'could not read the candidate sources from the graph');
      return null;
    });
    await model.engine.activate(snapshot);
    this.logger.info({ version: model.version, ms: Date.now() - started, items: model.engine.itemCount }, 'candidate sources built');
    const previous = this.active;
    this.active = model;
    this.logger.info({ version: model.version, previous: previous?.version ?? null, metrics: model.metrics }, 'model activated');
    // Scoring is synchronous, so no request is inside the old engine now; its tensors can go.
    if (previous !== null && previous !== model) previous.engine.dispose();
    // Items added while the index was built were encoded into the previous model: the hooks again.
    for (const hook of this.hooks)
      await hook(model).catch((error: unknown) => this.logger.error({ err: error, version: model.version }, 'model activation hook failed'));
  }

  private async candidateSources(kinds: readonly string[]): Promise<CatalogueSnapshot> {
    const key = kinds.join(',');
    if (this.snapshot !== null && this.snapshot.kinds === key && Date.now() - this.snapshot.at < SNAPSHOT_REUSE_MS) return this.snapshot.value;
    const at = Date.now();
    const value = await this.repo.snapshot(kinds);
    this.snapshot = { kinds: key, at, value };
    return value;
  }

  onApplicationShutdown(): void {
    this.active?.engine.dispose();
    this.active = null;
  }
}
