/**
 * Every failure a client can cause or act on is a DomainError: a feature-specific `code` (stable,
 * machine-readable, e.g. USER_NOT_FOUND) and a `kind` that the GraphQL layer maps to the
 * protocol's error codes. Services throw these and never HTTP or GraphQL exceptions.
 */
export enum ErrorKind {
  /** The request itself is wrong (validation, unknown kind, duplicate id): BAD_USER_INPUT. */
  InvalidInput = 'BAD_USER_INPUT',
  NotFound = 'NOT_FOUND',
  /** No API key, or one the server does not know: send `Authorization: Bearer <key>`. */
  Unauthenticated = 'UNAUTHENTICATED',
  /** A known key without the role the operation needs, or writes disabled on this server. */
  Forbidden = 'FORBIDDEN',
  /** No trained model is being served yet: retry after training. */
  ModelNotReady = 'MODEL_NOT_READY',
  /** A valid request that conflicts with the current state (a retrain already running). */
  Conflict = 'CONFLICT',
  /** Too many requests, or too much summed cost, from this client in the current window. */
  RateLimited = 'RATE_LIMITED',
  /** The request used up its wall-clock budget before this part of it could start. */
  BudgetExceeded = 'REQUEST_BUDGET_EXCEEDED',
  /** A dependency (Neo4j) is down or restarting: retry later. */
  Unavailable = 'SERVICE_UNAVAILABLE',
}

export interface DomainErrorDetails {
  /** The offending input field, dotted for nested inputs (`filter.genres`). */
  readonly field?: string;
  readonly [key: string]: string | number | boolean | readonly string[] | undefined;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Shared codes; features add their own next to their code (`catalog.errors.ts`, ...). */
export const CommonErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  ModelNotReady: 'MODEL_NOT_READY',
  ApiKeyMissing: 'API_KEY_MISSING',
  ApiKeyInvalid: 'API_KEY_INVALID',
  RoleMissing: 'ROLE_MISSING',
  WritesDisabled: 'WRITES_DISABLED',
  RequestBudgetExceeded: 'REQUEST_BUDGET_EXCEEDED',
  GraphUnavailable: 'GRAPH_UNAVAILABLE',
  GraphTimeout: 'GRAPH_TIMEOUT',
} as const;

/** `loading`: a model is being loaded and activated (start-up), so retrying later is enough (`extensions.modelState`). */
export function modelNotReady(loading = false): DomainError {
  return loading
    ? new DomainError(
        ErrorKind.ModelNotReady,
        CommonErrorCode.ModelNotReady,
        'the model is being activated (the server has just started; minutes on a large catalogue): retry after Retry-After seconds',
        { modelState: 'loading' },
      )
    : new DomainError(
        ErrorKind.ModelNotReady,
        CommonErrorCode.ModelNotReady,
        'no trained model is loaded yet: train one (eran train, or the retrainModel mutation) and retry',
        { modelState: 'none' },
      );
}
