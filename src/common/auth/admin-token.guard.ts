import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { CommonErrorCode, DomainError, ErrorKind } from '../errors/domain-error';

interface RequestWithHeaders {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * Admin operations need `Authorization: Bearer <ADMIN_TOKEN>`. With no token configured they are
 * disabled outright, so a forgotten variable never leaves them open. The comparison takes the same
 * time whatever the token's first wrong character.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.adminToken;
    if (expected === '') {
      throw new DomainError(ErrorKind.Forbidden, CommonErrorCode.AdminDisabled, 'admin operations are disabled: set ADMIN_TOKEN on the server');
    }
    const req = GqlExecutionContext.create(context).getContext<{ req?: RequestWithHeaders }>().req;
    const header = req?.headers.authorization;
    const given = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] ?? '' : '';
    if (!sameSecret(given, expected)) {
      throw new DomainError(ErrorKind.Forbidden, CommonErrorCode.AdminTokenInvalid, 'admin token missing or wrong (send Authorization: Bearer <ADMIN_TOKEN>)');
    }
    return true;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the time independent of `given`.
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(b, b);
}
