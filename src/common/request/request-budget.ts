import { CommonErrorCode, DomainError, ErrorKind } from '../errors/domain-error';

/**
 * The wall-clock budget of each GraphQL request, keyed by the request's context object (a new one
 * per request), so that nothing outlives the request. Set when the operation is admitted; read
 * before each unit of CPU work (see CpuScheduler).
 */
const deadlines = new WeakMap<object, number>();

export function startBudget(context: object, budgetMs: number, now: number = Date.now()): void {
  deadlines.set(context, now + budgetMs);
}

/** Throws REQUEST_BUDGET_EXCEEDED once the request's deadline has passed. */
export function checkBudget(context: object, now: number = Date.now()): void {
  const deadline = deadlines.get(context);
  if (deadline !== undefined && now > deadline) {
    throw new DomainError(
      ErrorKind.BudgetExceeded,
      CommonErrorCode.RequestBudgetExceeded,
      'the request ran out of its time budget before this field could be computed: ask for less (fewer aliases, smaller k) or retry',
    );
  }
}
