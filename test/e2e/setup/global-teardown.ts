import { neo4jScript } from './test-neo4j';

/** Stops the test Neo4j only if this run started it. */
export default async function globalTeardown(): Promise<void> {
  if (process.env.ERAN_E2E_STARTED_NEO4J === '1') neo4jScript('stop');
}
