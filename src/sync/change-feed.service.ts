import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG, APP_LOGGER } from '../config/config.module';
import type { Logger } from '../common/logging/logger';
import { planPoll, type FeedEvent, type FeedState } from './change-log';
import { SyncRepository, type FeedPage } from './sync.repository';

export type FeedListener = (event: FeedEvent) => void | Promise<void>;

/** Entries read per poll; a longer backlog is read in further polls without waiting. */
const PAGE = 1000;

/**
 * How this replica learns of writes made through other processes: it polls the change log in the
 * graph every SYNC_INTERVAL_MS (one indexed read) and hands each page, in order, to the listeners
 * (the catalogue drops the histories and refreshes the items named; the model registry compares
 * the published model version with its own). A poll never overlaps the previous one. A failed
 * poll is logged and retried: the replica serves what it has meanwhile.
 *
 * Chosen over reading a per-user version with every request (a graph round trip on the hot path,
 * and nothing for items or the model) and over pushing (Neo4j has no change notifications in
 * Community edition); see README "Several replicas" for the measured staleness.
 */
@Injectable()
export class ChangeFeedService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly listeners: FeedListener[] = [];
  private state: FeedState = { after: 0, importedAt: null };
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private stopped = false;
  private last: FeedPage | null = null;
  private lastPollAt = 0;

  constructor(
    private readonly repo: SyncRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  /** The log's head before any listener loads its state: nothing committed after it is missed. */
  async onModuleInit(): Promise<void> {
    const page = await this.repo.read(Number.MAX_SAFE_INTEGER, 1);
    this.state = { after: page.head, importedAt: page.importedAt };
    this.last = page;
  }

  onApplicationBootstrap(): void {
    this.schedule(this.config.replica.syncIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.polling;
  }

  subscribe(listener: FeedListener): void {
    this.listeners.push(listener);
  }

  /** The last page read (the start-up read until the first poll): published model version, counts. */
  latest(): FeedPage | null {
    return this.last;
  }

  /** The position (sequence number) this replica has applied, and when it last polled. */
  position(): { seq: number; polledAt: number } {
    return { seq: this.state.after, polledAt: this.lastPollAt };
  }

  /** Polls now (tests, and a write's own replica is not waiting for it: it applies its writes itself). */
  async pollNow(): Promise<void> {
    while (this.polling !== null) await this.polling;
    this.polling = this.poll().finally(() => (this.polling = null));
    await this.polling;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pollNow().then(
        () => undefined,
        () => undefined,
      );
    }, delayMs);
    // A replica's event loop must not be kept alive by its poller alone (tests, shutdown).
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    let more = false;
    try {
      const page = await this.repo.read(this.state.after, PAGE);
      this.lastPollAt = Date.now();
      this.last = page;
      const plan = planPoll(this.state, page);
      const batch = { changes: page.changes, modelVersion: page.modelVersion, users: page.users, purchases: page.purchases };
      if (plan.event === 'reset') this.logger.warn({ after: this.state.after, head: page.head }, 'change log cannot be applied in order: reloading');
      for (const listener of this.listeners) await listener({ type: plan.event, batch });
      this.state = plan.next;
      more = plan.event === 'changes' && page.changes.length === PAGE;
    } catch (error) {
      this.logger.error({ err: error, after: this.state.after }, 'change log poll failed: serving cached state until the next poll');
    } finally {
      if (!this.stopped && this.timer === null) this.schedule(more ? 0 : this.config.replica.syncIntervalMs);
    }
  }
}
