import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The e2e suites run against a dedicated Neo4j (own data folder and ports), never the dev database
 * on 7687, because they empty it. Started through the repo's own launcher script.
 */
export const TEST_NEO4J = {
  boltPort: process.env.E2E_BOLT_PORT ?? '7688',
  httpPort: process.env.E2E_HTTP_PORT ?? '7475',
  dataDir: join(__dirname, '..', '..', '..', '.neo4j-test'),
} as const;

export function testNeo4jEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NEO4J_DATA_DIR: TEST_NEO4J.dataDir,
    NEO4J_BOLT_PORT: TEST_NEO4J.boltPort,
    NEO4J_HTTP_PORT: TEST_NEO4J.httpPort,
    NEO4J_PASSWORD: process.env.NEO4J_PASSWORD ?? 'eran-graph',
  };
}

export function neo4jScript(command: 'start' | 'stop' | 'status'): string {
  const script = join(__dirname, '..', '..', '..', 'scripts', 'neo4j.sh');
  return execFileSync('bash', [script, command], { env: testNeo4jEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

export function isTestNeo4jRunning(): boolean {
  try {
    neo4jScript('status');
    return true;
  } catch {
    return false;
  }
}
