import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

export type RateLimitKind = 'requests' | 'cost';

/** A client went over one of its limits; `retryAfterSeconds` is when the window frees enough. */
export class RateLimitExceeded extends Error {
  constructor(
    readonly limit: RateLimitKind,
    readonly retryAfterSeconds: number,
  ) {
    super(
      limit === 'requests'
        ? `too many requests from this client: retry in ${retryAfterSeconds} s`
        : `this client's requests used up their cost budget for the window: retry in ${retryAfterSeconds} s, or ask for less`,
    );
    this.name = 'RateLimitExceeded';
  }
}

/**
 * Per-client limits over a fixed window, counted in this process: requests, and the summed
 * estimated cost of admitted operations (so that a few expensive queries weigh as much as many
 * cheap ones). rate-limiter-flexible rather than @nestjs/throttler: the throttler's guard runs
 * once per root field in GraphQL (so it cannot answer a whole request with 429) and counts calls,
 * while `consume(key, points)` charges a request by its cost.
 */
@Injectable()
export class ClientRateLimits {
  private readonly requests: RateLimiterMemory | null;
  private readonly cost: RateLimiterMemory | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { rateWindowSeconds: duration, rateRequests, rateCost } = config.limits;
    this.requests = rateRequests > 0 ? new RateLimiterMemory({ points: rateRequests, duration, keyPrefix: 'req' }) : null;
    this.cost = rateCost > 0 ? new RateLimiterMemory({ points: rateCost, duration, keyPrefix: 'cost' }) : null;
  }

  async takeRequest(client: string): Promise<void> {
    await take(this.requests, 'requests', client, 1);
  }

  async takeCost(client: string, cost: number): Promise<void> {
    await take(this.cost, 'cost', client, Math.max(1, Math.ceil(cost)));
  }
}

async function take(limiter: RateLimiterMemory | null, kind: RateLimitKind, client: string, points: number): Promise<void> {
  if (limiter === null) return;
  try {
    await limiter.consume(client, points);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) throw new RateLimitExceeded(kind, Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    throw rejection;
  }
}
