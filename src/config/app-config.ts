/**
 * The only place that reads process.env. Parsed and validated once; a bad value stops start-up
 * with a message naming the variable.
 */
export interface Neo4jConfig {
  readonly uri: string;
  readonly user: string;
  /** Empty when the server runs without auth. */
  readonly password: string;
  readonly database: string;
}

export interface AppConfig {
  readonly neo4j: Neo4jConfig;
  readonly port: number;
  /** Token required by admin mutations; empty disables them. */
  readonly adminToken: string;
  /** Forces a tfjs backend (`wasm`, `cpu`, `tensorflow`); empty = best available. */
  readonly tfBackend: string;
  readonly checkpointDir: string;
  /** Evaluation reports (one folder per report) shown on the explorer's model page. */
  readonly reportsDir: string;
  /** Serve GraphiQL at GET /graphql for browsers (development; off when NODE_ENV=production). */
  readonly graphqlIde: boolean;
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

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
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
    port: intVar(env, 'PORT', 3000, 1, 65535),
    adminToken: env.ADMIN_TOKEN ?? '',
    tfBackend: env.ERAN_TF_BACKEND ?? '',
    checkpointDir: env.CHECKPOINT_DIR ?? 'checkpoints',
    reportsDir: env.REPORTS_DIR ?? 'reports',
    graphqlIde: boolVar(env, 'GRAPHQL_IDE', env.NODE_ENV !== 'production'),
    logLevel,
  };
}
