import { Injectable } from '@nestjs/common';
import { GraphClient } from '../graph/graph-client';
import { ModelRegistryService, type ModelState } from '../served-model/model-registry.service';
import { ChangeFeedService } from '../sync/change-feed.service';

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly neo4j: { readonly up: boolean; readonly ms: number };
  /** `state` loading: the start-up model is being activated (minutes at catalogue scale); none: no model to serve. */
  readonly model: { readonly ready: boolean; readonly state: ModelState; readonly version: string | null; readonly items: number };
  /**
   * This replica's place in the change log: the last entry applied and how long ago it polled (a
   * growing age means writes through other replicas are not reaching it).
   */
  readonly sync: { readonly seq: number; readonly polledMsAgo: number | null };
}

/** Neo4j reachability (a bounded ping) and whether a model is being served (readiness). */
@Injectable()
export class HealthService {
  constructor(
    private readonly graph: GraphClient,
    private readonly registry: ModelRegistryService,
    private readonly feed: ChangeFeedService,
  ) {}

  async check(timeoutMs = 2000): Promise<HealthReport> {
    const started = Date.now();
    const up = await Promise.race([this.graph.ping(), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref())]);
    const model = this.registry.current();
    const position = this.feed.position();
    return {
      status: up && model !== null ? 'ok' : 'degraded',
      neo4j: { up, ms: Date.now() - started },
      model: { ready: model !== null, state: this.registry.state(), version: model?.version ?? null, items: model?.engine.itemCount ?? 0 },
      sync: { seq: position.seq, polledMsAgo: position.polledAt === 0 ? null : Date.now() - position.polledAt },
    };
  }
}
