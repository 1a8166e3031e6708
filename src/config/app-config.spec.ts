import { createHash } from 'node:crypto';
import { ConfigError, DEFAULT_LIMITS, digestApiKey, loadConfig, MIN_API_KEY_LENGTH, parseApiKeys } from './app-config';

const KEY = 'k'.repeat(MIN_API_KEY_LENGTH);

describe('loadConfig', () => {
  it('ships no key: without variables every write is disabled', () => {
    const config = loadConfig({});
    expect(config.auth).toEqual({ writerKeys: [], adminKeys: [] });
    expect(config.limits).toEqual(DEFAULT_LIMITS);
  });

  it('refuses placeholder-length keys, naming the variable', () => {
    expect(() => loadConfig({ ADMIN_API_KEYS: 'change-me' })).toThrow(/ADMIN_API_KEYS has a key of 9 characters; keys need at least 32/);
    expect(() => loadConfig({ WRITER_API_KEYS: `${KEY},short` })).toThrow(ConfigError);
  });

  it('refuses the old ADMIN_TOKEN rather than ignoring it', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'x'.repeat(40) })).toThrow(/ADMIN_TOKEN is no longer read: set ADMIN_API_KEYS/);
  });

  it('refuses a cost budget per window below the cost of one allowed query', () => {
    expect(() => loadConfig({ MAX_QUERY_COST: '5000', RATE_LIMIT_COST: '4999' })).toThrow(/RATE_LIMIT_COST/);
    expect(loadConfig({ MAX_QUERY_COST: '5000', RATE_LIMIT_COST: '0' }).limits.rateCost).toBe(0);
  });
});

describe('parseApiKeys', () => {
  it('keeps digests only, and accepts a key given as its sha256', () => {
    const digest = createHash('sha256').update(KEY).digest('hex');
    const [plain, hashed] = parseApiKeys('X', `${KEY}, sha256:${digest}`);
    expect(plain!.sha256.equals(hashed!.sha256)).toBe(true);
    expect(plain!.id).toBe(digest.slice(0, 8));
    expect(JSON.stringify(plain)).not.toContain(KEY);
    expect(digestApiKey(KEY).id).toBe(plain!.id);
  });

  it('rejects a malformed digest', () => {
    expect(() => parseApiKeys('X', 'sha256:abc')).toThrow(/not 64 hex digits/);
  });
});

describe('loadConfig (explorer settings)', () => {
  it('serves GraphiQL by default, not in production, and as GRAPHQL_IDE says', () => {
    expect(loadConfig({}).graphqlIde).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).graphqlIde).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_IDE: 'true' }).graphqlIde).toBe(true);
    expect(loadConfig({ GRAPHQL_IDE: '0' }).graphqlIde).toBe(false);
    expect(() => loadConfig({ GRAPHQL_IDE: 'sometimes' })).toThrow(new ConfigError('GRAPHQL_IDE', 'must be true or false, got "sometimes"'));
  });

  it('reads the reports folder, defaulting to reports/', () => {
    expect(loadConfig({}).reportsDir).toBe('reports');
    expect(loadConfig({ REPORTS_DIR: '/srv/reports' }).reportsDir).toBe('/srv/reports');
  });
});

describe('loadConfig (replica settings)', () => {
  it('polls every 200 ms, caches 64 MiB of histories and trains inline by default', () => {
    expect(loadConfig({}).replica).toEqual({ syncIntervalMs: 200, historyCacheBytes: 64 * 2 ** 20, trainingMode: 'inline' });
    expect(loadConfig({ SYNC_INTERVAL_MS: '50', HISTORY_CACHE_MB: '8', TRAINING_MODE: 'worker' }).replica).toEqual({
      syncIntervalMs: 50,
      historyCacheBytes: 8 * 2 ** 20,
      trainingMode: 'worker',
    });
  });

  it('refuses a training mode it does not know, and a poll interval out of range', () => {
    expect(() => loadConfig({ TRAINING_MODE: 'remote' })).toThrow(new ConfigError('TRAINING_MODE', 'must be inline or worker, got "remote"'));
    expect(() => loadConfig({ SYNC_INTERVAL_MS: '0' })).toThrow(/SYNC_INTERVAL_MS/);
  });
});
