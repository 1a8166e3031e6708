import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics in a registry of this app's own (not prom-client's global one), so that
 * several app instances in one process (tests) never clash over metric names.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly operationSeconds = new Histogram({
    name: 'eran_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency, from request start to response, per root field(s) and outcome.',
    labelNames: ['operation', 'type', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly operationErrors = new Counter({
    name: 'eran_graphql_errors_total',
    help: 'GraphQL errors by root field(s) and error code.',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });

  readonly modelItems = new Gauge({
    name: 'eran_model_items',
    help: 'Items the served model can score (0 when no model is loaded).',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'eran_' });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
