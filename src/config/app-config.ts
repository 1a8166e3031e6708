/**
 * The only place that reads process.env. Parsed and validated once; a bad value stops start-up
 * with a message naming the variable.
 */
import { resolve } from 'node:path';

export interface Neo4jConfig {
  readonly uri: string;
  readonly user: string;
  /** Empty when the server runs without auth. */
  readonly password: string;
  readonly database: string;
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

export interface AppConfig {
  readonly neo4j: Neo4jConfig;
  readonly localNeo4j: LocalNeo4jConfig;
  readonly port: number;
  /** Token required by admin mutations; empty disables them. */
  readonly adminToken: string;
  /** Forces a tfjs backend (`wasm`, `cpu`, `tensorflow`); empty = best available. */
  readonly tfBackend: string;
  readonly checkpointDir: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const REPOSITORY_ROOT = resolve(__dirname, '..', '..');

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

export function loadConfig(env: Env = process.env): AppConfig {
  const uri = env.NEO4J_URI ?? `bolt://127.0.0.1:${env.NEO4J_BOLT_PORT ?? '7687'}`;
  if (!/^(bolt|neo4j)(\+s|\+ssc)?:\/\//.test(uri)) {
    throw new ConfigError('NEO4J_URI', `must start with bolt:// or neo4j://, got "${uri}"`);
  }
  const logLevel = (env.LOG_LEVEL ?? 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  return {
    neo4j: {
      uri,
      user: env.NEO4J_USER ?? 'neo4j',
      // Same default as scripts/neo4j.sh and docker-compose.yml, so a fresh clone works without .env.
      password: env.NEO4J_PASSWORD ?? 'eran-graph',
      database: env.NEO4J_DATABASE ?? 'neo4j',
    },
    localNeo4j: localNeo4jConfig(env),
    port: intVar(env, 'PORT', 3000, 1, 65535),
    adminToken: env.ADMIN_TOKEN ?? '',
    tfBackend: env.ERAN_TF_BACKEND ?? '',
    checkpointDir: env.CHECKPOINT_DIR ?? 'checkpoints',
    logLevel,
  };
}
