import { Injectable } from '@nestjs/common';
import { GraphClient } from '../graph/graph-client';
import { ModelRegistryService } from '../served-model/model-registry.service';

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly neo4j: { readonly up: boolean; readonly ms: number };
  readonly model: { readonly ready: boolean; readonly version: string | null; readonly items: number };
}

/** Neo4j reachability (a bounded ping) and whether a model is being served. */
@Injectable()
export class HealthService {
  constructor(
    private readonly graph: GraphClient,
    private readonly registry: ModelRegistryService,
  ) {}

  async check(timeoutMs = 2000): Promise<HealthReport> {
    const started = Date.now();
    const up = await Promise.race([this.graph.ping(), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref())]);
    const model = this.registry.current();
    return {
      status: up && model !== null ? 'ok' : 'degraded',
      neo4j: { up, ms: Date.now() - started },
      model: { ready: model !== null, version: model?.version ?? null, items: model?.engine.itemCount ?? 0 },
    };
  }
}
