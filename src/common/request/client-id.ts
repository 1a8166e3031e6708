import type { IncomingMessage } from 'node:http';
import type { ApiKeyRing } from '../auth/api-key-ring';

/** Express' request as far as client identity goes (`ip` honours TRUST_PROXY_HOPS). */
export type ClientRequest = IncomingMessage & { ip?: string };

/**
 * Who is charged for a request in the rate limits: its API key when it sent a valid one, else its
 * address (an invalid key does not buy a fresh budget).
 */
export function clientIdOf(req: ClientRequest | undefined, keys: ApiKeyRing): string {
  const caller = keys.identify(req?.headers.authorization);
  if (caller.kind === 'key') return `key:${caller.keyId}`;
  return `ip:${req?.ip ?? req?.socket?.remoteAddress ?? 'unknown'}`;
}
