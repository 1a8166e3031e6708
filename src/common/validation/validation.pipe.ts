import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { CommonErrorCode, DomainError, ErrorKind } from '../errors/domain-error';

/**
 * class-validator on every `XxxArgs` / `XxxInput`, failing with a DomainError (BAD_USER_INPUT)
 * that names the first offending field (dotted for nested inputs, `filter.yearFrom`) in both the
 * message and `extensions.field`, and lists every offending field in `extensions.fields`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: false,
    stopAtFirstError: true,
    exceptionFactory: (errors: ValidationError[]) => toDomainError(errors),
  });
}

export function toDomainError(errors: readonly ValidationError[]): DomainError {
  const problems = flatten(errors, '');
  const first = problems[0] ?? { field: 'input', message: 'is invalid' };
  const message = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new DomainError(ErrorKind.InvalidInput, CommonErrorCode.ValidationFailed, `invalid input: ${message || first.message}`, {
    field: first.field,
    fields: problems.map((p) => p.field),
  });
}

interface Problem {
  readonly field: string;
  readonly message: string;
}

function flatten(errors: readonly ValidationError[], prefix: string): Problem[] {
  const out: Problem[] = [];
  for (const e of errors) {
    const field = prefix === '' ? e.property : /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : `${prefix}.${e.property}`;
    for (const message of Object.values(e.constraints ?? {})) out.push({ field, message });
    if (e.children && e.children.length > 0) out.push(...flatten(e.children, field));
  }
  return out;
}
