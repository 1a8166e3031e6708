/** The explorer's only door to the server: GraphQL over fetch, errors with their codes. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** The GraphQL error code (BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, ...) or NETWORK. */
    readonly code: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface GraphqlAnswer<T> {
  readonly data?: T | null;
  readonly errors?: ReadonlyArray<{ readonly message: string; readonly extensions?: { readonly code?: string; readonly field?: string } }>;
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <key>`: writes need it, reads never send it. */
  readonly key?: string;
  readonly signal?: AbortSignal;
}

export async function graphql<T>(query: string, variables: Record<string, unknown> = {}, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let response: Response;
  try {
    response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(`the server did not answer (${error instanceof Error ? error.message : String(error)})`, 'NETWORK');
  }
  let body: GraphqlAnswer<T>;
  try {
    body = (await response.json()) as GraphqlAnswer<T>;
  } catch {
    throw new ApiError(`the server answered HTTP ${response.status} without a GraphQL body`, 'NETWORK');
  }
  const first = body.errors?.[0];
  if (first !== undefined) throw new ApiError(first.message, first.extensions?.code ?? 'INTERNAL_SERVER_ERROR', first.extensions?.field ?? null);
  if (body.data === undefined || body.data === null) throw new ApiError('empty answer', 'INTERNAL_SERVER_ERROR');
  return body.data;
}

/** A sentence for people, keeping the code visible for whoever reports it. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'FORBIDDEN' || error.code === 'UNAUTHENTICATED')
      return `Not allowed (${error.code}): ${error.message}. Enter a write key at the top of the page.`;
    return `${error.message} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
