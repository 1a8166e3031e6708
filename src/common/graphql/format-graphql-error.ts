import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from '../logging/logger';
import { DomainError } from '../errors/domain-error';

/** Apollo's own codes that already describe a client mistake; they pass through unchanged. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/**
 * The one place that turns failures into GraphQL errors. A DomainError keeps its message and
 * becomes `extensions.code` = its kind (BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, MODEL_NOT_READY,
 * CONFLICT) with the feature code in `extensions.reason` and details (e.g. `field`) beside it.
 * Anything else is a bug or an outage: logged in full, answered with a generic message so that
 * driver errors, file paths or stack traces never reach a client.
 */
export function createGraphqlErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { ...original.details, code: original.kind, reason: original.code },
      };
    }
    const code = typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : undefined;
    if (code !== undefined && CLIENT_CODES.has(code)) {
      const reason = formatted.extensions?.reason;
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: typeof reason === 'string' ? { code, reason } : { code },
      };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL operation');
    return {
      message: 'internal error (logged on the server)',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
