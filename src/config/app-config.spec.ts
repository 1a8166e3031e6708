import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError, DEFAULT_LIMITS, digestApiKey, loadConfig, MIN_API_KEY_LENGTH, parseApiKeys, readEnvironment } from './app-config';

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

describe('readEnvironment (.env)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eran-env-'));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads the .env file, quotes and comments as dotenv does, the process environment winning', () => {
    const path = file('a.env', '# a comment\nNEO4J_PASSWORD="changed in .env"\nPORT=4100\nLOG_LEVEL=warn # inline comment\n');
    const config = loadConfig(readEnvironment({ DOTENV_CONFIG_PATH: path, LOG_LEVEL: 'debug' }));
    expect(config.neo4j.password).toBe('changed in .env');
    expect(config.port).toBe(4100);
    expect(config.logLevel).toBe('debug');
  });

  it('validates what comes from the file like the environment, in one line naming the variable', () => {
    const path = file('b.env', 'MAX_QUERY_COST=lots\n');
    const error = (() => {
      try {
        loadConfig(readEnvironment({ DOTENV_CONFIG_PATH: path }));
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toBe('configuration: MAX_QUERY_COST must be an integer in 10..10000000, got "lots"');
  });

  it('refuses a DOTENV_CONFIG_PATH that names no file, and leaves process.env alone', () => {
    expect(() => readEnvironment({ DOTENV_CONFIG_PATH: join(dir, 'missing.env') })).toThrow(
      /DOTENV_CONFIG_PATH \(.*missing\.env\) could not be read \(ENOENT\)/,
    );
    const before = { ...process.env };
    readEnvironment({ DOTENV_CONFIG_PATH: file('c.env', 'ERAN_SPEC_ONLY=1\n') });
    expect(process.env).toEqual(before);
  });
});

describe('.env.example', () => {
  it('shows the defaults, and its key placeholders are refused until replaced', () => {
    const example = parseDotenv(readFileSync(join(__dirname, '..', '..', '.env.example')));
    expect(() => loadConfig(example)).toThrow(/WRITER_API_KEYS has a key of 10 characters/);
    const withoutKeys = { ...example, WRITER_API_KEYS: '', ADMIN_API_KEYS: '' };
    const { localNeo4j, ...config } = loadConfig(withoutKeys);
    const { localNeo4j: defaultLocal, ...defaults } = loadConfig({});
    expect(config).toEqual(defaults);
    expect(localNeo4j.dataDir).toBe(defaultLocal.dataDir);
    expect(localNeo4j.boltPort).toBe(defaultLocal.boltPort);
  });
});

describe('loadConfig (ERAN_TF_BACKEND)', () => {
  it('accepts the documented names, tensorflow included, and aliases; empty is auto', () => {
    expect(loadConfig({}).tfBackend).toBe('auto');
    expect(loadConfig({ ERAN_TF_BACKEND: '' }).tfBackend).toBe('auto');
    expect(loadConfig({ ERAN_TF_BACKEND: 'tensorflow' }).tfBackend).toBe('tensorflow');
    expect(loadConfig({ ERAN_TF_BACKEND: 'TensorFlow' }).tfBackend).toBe('tensorflow');
    expect(loadConfig({ ERAN_TF_BACKEND: 'native' }).tfBackend).toBe('tensorflow');
    expect(loadConfig({ ERAN_TF_BACKEND: 'wasm' }).tfBackend).toBe('wasm');
    expect(loadConfig({ ERAN_TF_BACKEND: 'cpu' }).tfBackend).toBe('cpu');
    expect(loadConfig({ ERAN_TF_BACKEND: 'tfjs-node' }).tfBackend).toBe('node');
  });

  it('refuses an unknown name at start-up, listing the accepted ones', () => {
    expect(() => loadConfig({ ERAN_TF_BACKEND: 'webgl' })).toThrow(
      /ERAN_TF_BACKEND must be one of auto \| tensorflow \| node-gpu \| node \| wasm \| cpu .*got "webgl"/,
    );
  });
});
