import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from '../logging/logger';
import { CommonErrorCode, DomainError, ErrorKind } from '../errors/domain-error';
import { GraphError } from '../../graph/graph-client';
import { CLIENT_ERROR_CODES } from './http-status';

/** Extensions of Apollo's and our own request-level errors that a client may see. */
const PUBLIC_EXTENSIONS = ['reason', 'field', 'fields', 'retryAfterSeconds', 'cost', 'maxCost', 'limit'] as const;

/**
 * The one place that turns failures into GraphQL errors. A DomainError keeps its message and
 * becomes `extensions.code` = its kind (BAD_USER_INPUT, NOT_FOUND, UNAUTHENTICATED, FORBIDDEN,
 * MODEL_NOT_READY, CONFLICT, ...) with the feature code in `extensions.reason` and details (e.g.
 * `field`) beside it. Neo4j being down or too slow is SERVICE_UNAVAILABLE with a message that says
 * so and no more (no host, port or driver text). Anything else is a bug: logged in full, answered
 * with a generic message so that driver errors, file paths or stack traces never reach a client.
 */
export function createGraphqlErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (original instanceof DomainError) {
      return { ...base, message: original.message, extensions: { ...original.details, code: original.kind, reason: original.code } };
    }
    if (original instanceof GraphError && original.failure !== 'query') {
      logger.warn(
        { query: original.query, code: original.code, failure: original.failure, path: formatted.path },
        'Neo4j unavailable during a GraphQL operation',
      );
      const timeout = original.failure === 'timeout';
      return {
        ...base,
        message: timeout
          ? 'the graph database did not answer in time: retry, or ask for less'
          : 'the graph database is unavailable at the moment: retry in a few seconds',
        extensions: { code: ErrorKind.Unavailable, reason: timeout ? CommonErrorCode.GraphTimeout : CommonErrorCode.GraphUnavailable },
      };
    }
    const code = typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : undefined;
    if (code !== undefined && CLIENT_ERROR_CODES.has(code)) {
      const extensions: Record<string, unknown> = { code };
      for (const key of PUBLIC_EXTENSIONS) if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
      return { ...base, extensions };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL operation');
    return { ...base, message: 'internal error (logged on the server)', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
