/**
 * The HTTP status of a response that carries errors and no data, by GraphQL error code: a client
 * mistake is a 4xx, a dependency that is down a 503, and only a bug a 500. A response with (even
 * partial) data stays 200, as GraphQL over HTTP has it.
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  OPERATION_RESOLUTION_FAILURE: 400,
  PERSISTED_QUERY_NOT_FOUND: 400,
  PERSISTED_QUERY_NOT_SUPPORTED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  MODEL_NOT_READY: 503,
  SERVICE_UNAVAILABLE: 503,
  REQUEST_BUDGET_EXCEEDED: 503,
};

/** Codes a client may act on by itself; anything else is an internal error. */
export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(STATUS_BY_CODE));

/** Seconds a client should wait before retrying after a 503 (a restarting Neo4j, a model loading). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

export function httpStatusOf(code: string | undefined): number {
  return (code === undefined ? undefined : STATUS_BY_CODE[code]) ?? 500;
}

/**
 * One status for several errors: theirs when they agree; otherwise any 500 wins (a bug), then any
 * other 5xx (the server could not), then 400 (a mix of client mistakes).
 */
export function httpStatusOfAll(codes: ReadonlyArray<string | undefined>): number {
  const statuses = [...new Set(codes.map(httpStatusOf))];
  if (statuses.length === 1) return statuses[0]!;
  if (statuses.includes(500)) return 500;
  const serverSide = statuses.find((s) => s >= 500);
  return serverSide ?? 400;
}
