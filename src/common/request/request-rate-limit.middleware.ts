import type { ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { ApiKeyRing } from '../auth/api-key-ring';
import { clientIdOf, type ClientRequest } from './client-id';
import { ClientRateLimits, RateLimitExceeded } from './client-rate-limits';

/**
 * Counts every request to /graphql against its client's request limit before Apollo parses it
 * (a flood of large or invalid documents is refused as cheaply as a valid one): over the limit,
 * 429 with Retry-After and a GraphQL error body. Here rather than in an Apollo plugin because
 * Apollo turns an error thrown from `requestDidStart` into a 500.
 */
@Injectable()
export class RequestRateLimitMiddleware implements NestMiddleware<ClientRequest, ServerResponse> {
  constructor(
    private readonly keys: ApiKeyRing,
    private readonly limits: ClientRateLimits,
  ) {}

  async use(req: ClientRequest, res: ServerResponse, next: (error?: unknown) => void): Promise<void> {
    try {
      await this.limits.takeRequest(clientIdOf(req, this.keys));
    } catch (error) {
      if (!(error instanceof RateLimitExceeded)) {
        next(error);
        return;
      }
      res.statusCode = 429;
      res.setHeader('retry-after', String(error.retryAfterSeconds));
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(
        JSON.stringify({
          errors: [{ message: error.message, extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_REQUESTS', retryAfterSeconds: error.retryAfterSeconds } }],
        }),
      );
      return;
    }
    next();
  }
}
