import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { CommonErrorCode, DomainError, ErrorKind } from '../errors/domain-error';
import { ApiKeyRing } from './api-key-ring';
import { REQUIRED_ROLE, Role } from './roles';

interface RequestWithHeaders {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * Global guard of every GraphQL root field. A field needs the role set by @RequireRole on its
 * resolver (method or class); a mutation without one needs `admin`, so a write added later can
 * never be left open by a forgotten decorator. Reads need no key. Missing or unknown key:
 * UNAUTHENTICATED (401); a key without the role: FORBIDDEN (403); no key configured for the
 * role at all: FORBIDDEN, naming the variable to set (writes are off, never open, without keys).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyRing,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType<GqlContextType>() !== 'graphql') return true;
    const gql = GqlExecutionContext.create(context);
    const declared = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]);
    const required = declared ?? (gql.getInfo<GraphQLResolveInfo>().parentType.name === 'Mutation' ? Role.Admin : undefined);
    if (required === undefined) return true;
    const article = required === Role.Admin ? 'an admin' : 'a writer';
    if (!this.keys.hasKeysFor(required)) {
      throw new DomainError(
        ErrorKind.Forbidden,
        CommonErrorCode.WritesDisabled,
        `this operation needs ${article} API key and the server has none: set ${required === Role.Admin ? 'ADMIN_API_KEYS' : 'WRITER_API_KEYS or ADMIN_API_KEYS'}`,
      );
    }
    const caller = this.keys.identify(gql.getContext<{ req?: RequestWithHeaders }>().req?.headers.authorization);
    if (caller.kind === 'anonymous') {
      throw new DomainError(
        ErrorKind.Unauthenticated,
        CommonErrorCode.ApiKeyMissing,
        `this operation needs ${article} API key: send Authorization: Bearer <key>`,
      );
    }
    if (caller.kind === 'invalid') {
      throw new DomainError(ErrorKind.Unauthenticated, CommonErrorCode.ApiKeyInvalid, 'the API key is not valid (send Authorization: Bearer <key>)');
    }
    if (!caller.roles.has(required)) {
      throw new DomainError(ErrorKind.Forbidden, CommonErrorCode.RoleMissing, `this operation needs ${article} API key; this key is not one`);
    }
    return true;
  }
}
