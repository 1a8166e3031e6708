import { isTestNeo4jRunning, neo4jScript, TEST_NEO4J } from './test-neo4j';

/** Starts the test Neo4j unless E2E_NEO4J_URI points at one already (e.g. a docker compose service). */
export default async function globalSetup(): Promise<void> {
  if (process.env.E2E_NEO4J_URI) {
    process.env.NEO4J_URI = process.env.E2E_NEO4J_URI;
    return;
  }
  if (!isTestNeo4jRunning()) {
    process.stderr.write(`\nstarting the test Neo4j (bolt ${TEST_NEO4J.boltPort}, data ${TEST_NEO4J.dataDir})\n`);
    process.stderr.write(neo4jScript('start'));
    process.env.ERAN_E2E_STARTED_NEO4J = '1';
  }
  process.env.NEO4J_URI = `bolt://127.0.0.1:${TEST_NEO4J.boltPort}`;
  process.env.NEO4J_PASSWORD = process.env.NEO4J_PASSWORD ?? 'eran-graph';
}
