/**
 * The only place that reads process.env and the .env file. Parsed and validated once; a bad value
 * stops start-up with a one-line message naming the variable.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { backendPreferenceNames, parseBackendPreference, type BackendPreference } from '../model/backend-preference';

export interface Neo4jConfig {
  readonly uri: string;
  readonly user: string;
  /** Empty when the server runs without auth. */
  readonly password: string;
  readonly database: string;
  /** TCP connect + Bolt handshake; a server that accepts but does not answer fails after this. */
  readonly connectTimeoutMs: number;
  /** Waiting for a pooled connection; short, so that an outage answers 503 instead of hanging. */
  readonly acquisitionTimeoutMs: number;
  /** How long a transaction is retried on transient errors (server restarting, leader switch). */
  readonly maxRetryTimeMs: number;
}

/** An API key as the server keeps it: the SHA-256 digest only, and a short id for logs and limits. */
export interface ApiKeyDigest {
  /** First 8 hex digits of the digest: names the key in logs and rate limits without revealing it. */
  readonly id: string;
  readonly sha256: Buffer;
}

export interface AuthConfig {
  /** Keys allowed to record purchases (recordPurchase). */
  readonly writerKeys: readonly ApiKeyDigest[];
  /** Keys allowed every write: catalogue edits (addItem, hideItem), retrainModel, and purchases. */
  readonly adminKeys: readonly ApiKeyDigest[];
}

export interface LimitsConfig {
  /** Deepest selection allowed (the operation's root fields are depth 1). */
  readonly maxDepth: number;
  /** Largest estimated cost of one request, in work units (see src/app.query-costs.ts). */
  readonly maxCost: number;
  /** Wall-clock budget of one request; work not started by then fails with REQUEST_BUDGET_EXCEEDED. */
  readonly requestBudgetMs: number;
  /** Largest request body; more is answered 413 with a GraphQL error. */
  readonly bodyLimitBytes: number;
  /** Per client (API key, else IP address) and window: requests, and summed cost. 0 = unlimited. */
  readonly rateWindowSeconds: number;
  readonly rateRequests: number;
  readonly rateCost: number;
  /** Express `trust proxy`: how many proxies' X-Forwarded-For to believe for the client address. */
  readonly trustProxyHops: number;
}

/**
 * The Neo4j that scripts/neo4j.sh runs on this machine (the launcher), as that script will see it:
 * the bulk importer stops it, writes its store files with neo4j-admin and starts it again.
 */
export interface LocalNeo4jConfig {
  /** Absolute data folder (NEO4J_DATA_DIR, default .neo4j in the repository). */
  readonly dataDir: string;
  readonly boltPort: number;
  /** The environment scripts/neo4j.sh runs with (this process's, NEO4J_* settings resolved). */
  readonly scriptEnv: Readonly<Record<string, string>>;
}

/** Running several API replicas (and a training worker) on one graph: README "Several replicas". */
export interface ReplicaConfig {
  /** How often a replica polls the change log in the graph (writes made elsewhere show within this). */
  readonly syncIntervalMs: number;
  /** Memory for cached user histories (loaded from the graph on demand, least recently used dropped). */
  readonly historyCacheBytes: number;
  /**
   * `inline`: retrainModel trains in a worker thread of the replica that received it; `worker`: it
   * queues a job in the graph for `eran worker`. Either way the new version is published in the graph.
   */
  readonly trainingMode: 'inline' | 'worker';
}

export interface AppConfig {
  readonly neo4j: Neo4jConfig;
  readonly localNeo4j: LocalNeo4jConfig;
  readonly port: number;
  readonly auth: AuthConfig;
  readonly limits: LimitsConfig;
  /** ERAN_TF_BACKEND: a forced tfjs backend (`tensorflow`, `wasm`, `cpu`, ...) or `auto` (best available). */
  readonly tfBackend: BackendPreference;
  readonly checkpointDir: string;
  /** Evaluation reports (one folder per report) shown on the explorer's model page. */
  readonly reportsDir: string;
  /** Serve GraphiQL at GET /graphql for browsers (development; off when NODE_ENV=production). */
  readonly graphqlIde: boolean;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly replica: ReplicaConfig;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Shorter keys are guessable; 32 characters is what `openssl rand -hex 16` gives. */
export const MIN_API_KEY_LENGTH = 32;

export const DEFAULT_LIMITS: LimitsConfig = {
  maxDepth: 10,
  maxCost: 5000,
  requestBudgetMs: 5000,
  bodyLimitBytes: 100 * 1024,
  rateWindowSeconds: 60,
  rateRequests: 1200,
  rateCost: 100_000,
  trustProxyHops: 0,
};

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

const REPOSITORY_ROOT = resolve(__dirname, '..', '..');

/** The repository's .env: the file scripts/neo4j.sh reads too, so both see the same NEO4J_PASSWORD. */
export const ENV_FILE = resolve(REPOSITORY_ROOT, '.env');

/**
 * The environment the app runs with: the variables of the .env file (parsed by dotenv, the parser
 * @nestjs/config uses), with those of the process winning, as in dotenv, @nestjs/config and
 * scripts/neo4j.sh. The file is the repository's .env, or DOTENV_CONFIG_PATH (dotenv's own name for
 * it, honoured by scripts/neo4j.sh as well). No file is no error; an unreadable one is. process.env
 * is left untouched.
 */
export function readEnvironment(env: Env = process.env): Env {
  const file = env.DOTENV_CONFIG_PATH ? resolve(env.DOTENV_CONFIG_PATH) : ENV_FILE;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !env.DOTENV_CONFIG_PATH) return env;
    throw new ConfigError(env.DOTENV_CONFIG_PATH ? 'DOTENV_CONFIG_PATH' : '.env', `(${file}) could not be read (${code ?? String(error)})`);
  }
  const merged: Record<string, string | undefined> = { ...parseDotenv(text) };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}

function localNeo4jConfig(env: Env): LocalNeo4jConfig {
  // Same defaults as scripts/neo4j.sh (a relative NEO4J_DATA_DIR is relative to the working directory there too).
  const dataDir = env.NEO4J_DATA_DIR ? resolve(env.NEO4J_DATA_DIR) : resolve(REPOSITORY_ROOT, '.neo4j');
  const boltPort = intVar(env, 'NEO4J_BOLT_PORT', 7687, 1, 65535);
  const scriptEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) scriptEnv[key] = value;
  scriptEnv.NEO4J_DATA_DIR = dataDir;
  scriptEnv.NEO4J_BOLT_PORT = String(boltPort);
  return { dataDir, boltPort, scriptEnv };
}

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer in ${min}..${max}, got "${raw}"`);
  }
  return value;
}

/** The digest of a raw key, as the guard computes it for a presented key. */
export function digestApiKey(key: string): ApiKeyDigest {
  const sha256 = createHash('sha256').update(key, 'utf8').digest();
  return { id: sha256.toString('hex').slice(0, 8), sha256 };
}

/**
 * A comma-separated list of keys, each either the key itself or `sha256:<64 hex digits>` (its
 * digest, so that the plain key need not sit in the environment). Short keys are refused: a
 * placeholder such as `change-me` must never end up guarding writes.
 */
export function parseApiKeys(name: string, raw: string | undefined): ApiKeyDigest[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const hashed = /^sha256:([0-9a-fA-F]{64})$/.exec(entry);
      if (hashed) {
        const sha256 = Buffer.from(hashed[1]!, 'hex');
        return { id: sha256.toString('hex').slice(0, 8), sha256 };
      }
      if (entry.startsWith('sha256:')) throw new ConfigError(name, 'has a sha256: entry that is not 64 hex digits');
      if (entry.length < MIN_API_KEY_LENGTH) {
        throw new ConfigError(
          name,
          `has a key of ${entry.length} characters; keys need at least ${MIN_API_KEY_LENGTH} (generate one with: openssl rand -hex 32)`,
        );
      }
      return digestApiKey(entry);
    });
}

/** The validated configuration; by default from the process environment over the .env file. */
export function loadConfig(env: Env = readEnvironment()): AppConfig {
  const uri = env.NEO4J_URI ?? `bolt://127.0.0.1:${env.NEO4J_BOLT_PORT ?? '7687'}`;
  if (!/^(bolt|neo4j)(\+s|\+ssc)?:\/\//.test(uri)) {
    throw new ConfigError('NEO4J_URI', `must start with bolt:// or neo4j://, got "${uri}"`);
  }
  const logLevel = (env.LOG_LEVEL ?? 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  if (env.ADMIN_TOKEN !== undefined && env.ADMIN_TOKEN !== '') {
    throw new ConfigError('ADMIN_TOKEN', 'is no longer read: set ADMIN_API_KEYS (and WRITER_API_KEYS for purchase writers) instead');
  }
  const tfBackend = parseBackendPreference(env.ERAN_TF_BACKEND);
  if (tfBackend === null) throw new ConfigError('ERAN_TF_BACKEND', `must be one of ${backendPreferenceNames()} or empty, got "${env.ERAN_TF_BACKEND}"`);
  const d = DEFAULT_LIMITS;
  const maxCost = intVar(env, 'MAX_QUERY_COST', d.maxCost, 10, 10_000_000);
  const rateCost = intVar(env, 'RATE_LIMIT_COST', d.rateCost, 0, 1_000_000_000);
  if (rateCost > 0 && rateCost < maxCost) {
    throw new ConfigError(
      'RATE_LIMIT_COST',
      `(${rateCost}) must be 0 (off) or at least MAX_QUERY_COST (${maxCost}), or the largest allowed query could never run`,
    );
  }
  return {
    neo4j: {
      uri,
      user: env.NEO4J_USER ?? 'neo4j',
      // Same default as scripts/neo4j.sh and docker-compose.yml, so a fresh clone works without .env.
      password: env.NEO4J_PASSWORD ?? 'eran-graph',
      database: env.NEO4J_DATABASE ?? 'neo4j',
      connectTimeoutMs: intVar(env, 'NEO4J_CONNECT_TIMEOUT_MS', 2000, 100, 120_000),
      acquisitionTimeoutMs: intVar(env, 'NEO4J_ACQUISITION_TIMEOUT_MS', 3000, 100, 120_000),
      maxRetryTimeMs: intVar(env, 'NEO4J_MAX_RETRY_TIME_MS', 3000, 0, 120_000),
    },
    localNeo4j: localNeo4jConfig(env),
    port: intVar(env, 'PORT', 3000, 1, 65535),
    auth: {
      writerKeys: parseApiKeys('WRITER_API_KEYS', env.WRITER_API_KEYS),
      adminKeys: parseApiKeys('ADMIN_API_KEYS', env.ADMIN_API_KEYS),
    },
    limits: {
      maxDepth: intVar(env, 'MAX_QUERY_DEPTH', d.maxDepth, 2, 100),
      maxCost,
      requestBudgetMs: intVar(env, 'REQUEST_BUDGET_MS', d.requestBudgetMs, 100, 600_000),
      bodyLimitBytes: intVar(env, 'MAX_BODY_BYTES', d.bodyLimitBytes, 1024, 64 * 2 ** 20),
      rateWindowSeconds: intVar(env, 'RATE_LIMIT_WINDOW_SECONDS', d.rateWindowSeconds, 1, 86_400),
      rateRequests: intVar(env, 'RATE_LIMIT_REQUESTS', d.rateRequests, 0, 100_000_000),
      rateCost,
      trustProxyHops: intVar(env, 'TRUST_PROXY_HOPS', d.trustProxyHops, 0, 10),
    },
    tfBackend,
    checkpointDir: env.CHECKPOINT_DIR ?? 'checkpoints',
    reportsDir: env.REPORTS_DIR ?? 'reports',
    graphqlIde: boolVar(env, 'GRAPHQL_IDE', env.NODE_ENV !== 'production'),
    logLevel,
    replica: {
      syncIntervalMs: intVar(env, 'SYNC_INTERVAL_MS', 200, 10, 60_000),
      historyCacheBytes: intVar(env, 'HISTORY_CACHE_MB', 64, 1, 64 * 1024) * 2 ** 20,
      trainingMode: trainingModeVar(env),
    },
  };
}

function trainingModeVar(env: Env): ReplicaConfig['trainingMode'] {
  const raw = env.TRAINING_MODE ?? 'inline';
  if (raw !== 'inline' && raw !== 'worker') throw new ConfigError('TRAINING_MODE', `must be inline or worker, got "${raw}"`);
  return raw;
}
