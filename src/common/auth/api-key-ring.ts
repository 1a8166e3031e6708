import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ApiKeyDigest, AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { Role } from './roles';

/** Who sent a request, as far as its `Authorization` header says. */
export type Caller =
  | { readonly kind: 'anonymous' }
  /** A key was sent but matches none: treated as anonymous for limits, refused for writes. */
  | { readonly kind: 'invalid' }
  | { readonly kind: 'key'; readonly keyId: string; readonly roles: ReadonlySet<Role> };

interface Entry {
  readonly key: ApiKeyDigest;
  readonly roles: ReadonlySet<Role>;
}

/**
 * The configured API keys, as SHA-256 digests only. A presented key is hashed and compared with
 * every digest in constant time (no early exit, equal-length buffers), so neither the comparison
 * nor the number of keys tried leaks which bytes were right.
 */
@Injectable()
export class ApiKeyRing {
  private readonly entries: readonly Entry[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const admin = new Set([Role.Admin, Role.Writer]);
    const writer = new Set([Role.Writer]);
    this.entries = [...config.auth.adminKeys.map((key) => ({ key, roles: admin })), ...config.auth.writerKeys.map((key) => ({ key, roles: writer }))];
  }

  /** Whether any key can act in `role` (with none, such writes are disabled on this server). */
  hasKeysFor(role: Role): boolean {
    return this.entries.some((e) => e.roles.has(role));
  }

  identify(authorization: string | readonly string[] | undefined): Caller {
    if (typeof authorization !== 'string' || authorization.trim() === '') return { kind: 'anonymous' };
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim())?.[1];
    if (presented === undefined) return { kind: 'invalid' };
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let match: Entry | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(digest, entry.key.sha256) && match === undefined) match = entry;
    }
    return match === undefined ? { kind: 'invalid' } : { kind: 'key', keyId: match.key.id, roles: match.roles };
  }
}
