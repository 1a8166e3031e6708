import { Catch } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import { DomainError } from './domain-error';

/**
 * Hands DomainErrors straight to GraphQL (where the formatter maps their codes). Without it Nest's
 * default handler logs every one of them as an unexpected server error, although "unknown user"
 * or "k out of range" are answers, not faults.
 */
@Catch(DomainError)
export class DomainErrorFilter implements GqlExceptionFilter {
  catch(error: DomainError): DomainError {
    return error;
  }
}
