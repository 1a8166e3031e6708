import { loadConfig } from '../../config/app-config';
import { ApiKeyRing } from './api-key-ring';
import { Role } from './roles';

const ADMIN = 'admin-key-0123456789abcdef0123456789abcdef';
const WRITER = 'writer-key-0123456789abcdef0123456789abcdef';

describe('ApiKeyRing', () => {
  const ring = new ApiKeyRing(loadConfig({ ADMIN_API_KEYS: ADMIN, WRITER_API_KEYS: WRITER }));

  it('gives admin keys both roles and writer keys the writer role', () => {
    const admin = ring.identify(`Bearer ${ADMIN}`);
    const writer = ring.identify(`bearer ${WRITER}`);
    expect(admin.kind === 'key' && [...admin.roles].sort()).toEqual([Role.Admin, Role.Writer]);
    expect(writer.kind === 'key' && [...writer.roles]).toEqual([Role.Writer]);
    expect(admin.kind === 'key' && writer.kind === 'key' && admin.keyId !== writer.keyId).toBe(true);
  });

  it('tells a missing key from a wrong or malformed one', () => {
    expect(ring.identify(undefined)).toEqual({ kind: 'anonymous' });
    expect(ring.identify('  ')).toEqual({ kind: 'anonymous' });
    expect(ring.identify(`Bearer ${ADMIN}x`)).toEqual({ kind: 'invalid' });
    expect(ring.identify(ADMIN)).toEqual({ kind: 'invalid' });
    expect(ring.identify(`Basic ${ADMIN}`)).toEqual({ kind: 'invalid' });
  });

  it('knows whether a role has any key at all', () => {
    const writersOnly = new ApiKeyRing(loadConfig({ WRITER_API_KEYS: WRITER }));
    expect(writersOnly.hasKeysFor(Role.Writer)).toBe(true);
    expect(writersOnly.hasKeysFor(Role.Admin)).toBe(false);
    expect(new ApiKeyRing(loadConfig({})).hasKeysFor(Role.Writer)).toBe(false);
  });
});
