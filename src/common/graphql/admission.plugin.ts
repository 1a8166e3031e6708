import { HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { LimitsConfig } from '../../config/app-config';
import type { ApiKeyRing } from '../auth/api-key-ring';
import { ClientRateLimits, RateLimitExceeded } from '../request/client-rate-limits';
import { clientIdOf, type ClientRequest } from '../request/client-id';
import { startBudget } from '../request/request-budget';
import { httpStatusOfAll, UNAVAILABLE_RETRY_AFTER_SECONDS } from './http-status';
import { coerceVariables, estimateCost, type CostTable } from './query-cost';

export interface AdmissionOptions {
  readonly limits: LimitsConfig;
  readonly keys: ApiKeyRing;
  readonly rateLimits: ClientRateLimits;
  /** The cost table, built per request: costs follow the catalogue's current size. */
  readonly costTable: () => CostTable;
}

/**
 * Decides whether a GraphQL request runs, before any resolver does (its request count has been
 * taken by RequestRateLimitMiddleware already):
 *  1. its variables, coerced by the schema (a wrong type or a missing one is a 400, not a crash);
 *  2. its estimated cost, from the cost table (400 QUERY_TOO_COMPLEX over the per-request limit),
 *     charged to the client's cost budget for the window (429 when used up);
 *  3. its wall-clock budget, which the CpuScheduler checks before each unit of work.
 * On the way out it sets the HTTP status of error-only responses from their codes (400, 401, 403,
 * 404, 429, 503...) and reports the cost in `extensions.cost`.
 */
export function admissionPlugin(options: AdmissionOptions): ApolloServerPlugin<BaseContext> {
  const { limits, keys, rateLimits } = options;
  return {
    async requestDidStart({ contextValue }) {
      // Nothing here may throw: Apollo answers an error from requestDidStart with a 500.
      const client = clientIdOf((contextValue as { req?: ClientRequest }).req, keys);
      let cost: number | null = null;
      return {
        async didResolveOperation({ request, document, schema, operation }) {
          if (operation === undefined) return;
          const variables = coerceVariables(schema, operation, request.variables);
          if (!variables.ok) {
            const first = variables.errors[0]!;
            throw new GraphQLError(first.message, {
              nodes: first.nodes,
              extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID_VARIABLES', http: { status: 400 } },
            });
          }
          try {
            cost = estimateCost({ schema, document, operationName: request.operationName, variables: variables.values, table: options.costTable() });
          } catch (error) {
            throw tooComplex(error instanceof GraphQLError ? error.message : 'the query is too large to estimate', null, limits.maxCost);
          }
          if (cost > limits.maxCost) {
            throw tooComplex(
              `query cost ${cost} exceeds the limit of ${limits.maxCost} per request: ask for fewer fields, aliases or a smaller k`,
              cost,
              limits.maxCost,
            );
          }
          try {
            await rateLimits.takeCost(client, cost);
          } catch (error) {
            throw asGraphqlError(error);
          }
          startBudget(contextValue, limits.requestBudgetMs);
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (cost !== null) result.extensions = { ...result.extensions, cost: { requested: cost, limit: limits.maxCost } };
          const errors = result.errors ?? [];
          if (errors.length === 0 || (result.data !== undefined && result.data !== null)) return;
          const status = httpStatusOfAll(errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : undefined)));
          response.http.status = status;
          const retryAfter = errors.reduce((s, e) => Math.max(s, typeof e.extensions?.retryAfterSeconds === 'number' ? e.extensions.retryAfterSeconds : 0), 0);
          if (status === 429 || status === 503) response.http.headers.set('retry-after', String(retryAfter || UNAVAILABLE_RETRY_AFTER_SECONDS));
        },
      };
    },
  };
}

function tooComplex(message: string, cost: number | null, maxCost: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX', ...(cost === null ? {} : { cost }), maxCost, http: { status: 400 } },
  });
}

function asGraphqlError(error: unknown): unknown {
  if (!(error instanceof RateLimitExceeded)) return error;
  return new GraphQLError(error.message, {
    extensions: {
      code: 'RATE_LIMITED',
      reason: 'COST_BUDGET_USED_UP',
      retryAfterSeconds: error.retryAfterSeconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(error.retryAfterSeconds)]]) },
    },
  });
}
